"""Text as the networks count it, and the per-network content rules (pure domain code).

`counting` has one function per counting method, `rules` one table of per-network limits, and
`validation` checks a post's content against them. Nothing here imports boto3 or httpx."""
