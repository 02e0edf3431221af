"""Text as the networks count it, and the per-network content rules (pure domain code).

`counting` has one function per counting method, `rules` one table of per-network limits,
`validation` checks a post's content against them, and `richtext` renders the HTML subset per
network. Nothing here imports boto3 or httpx."""
