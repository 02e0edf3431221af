"""Media: external media URLs (the pure rules in `urls`, the pinned, redirect-checking probe in
`fetch`) and uploaded files (`service`: presigned uploads, inspection and deletion; `inspect` and
`mp4`: what a file is; `compat`: which networks take it; `storage`: the S3 bucket; `handler`: the
inspect function)."""
