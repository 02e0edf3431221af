"""Publishing: claim a due post, send each target through its platform, settle the post."""
