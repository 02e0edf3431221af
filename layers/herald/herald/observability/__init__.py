"""What Herald tells its operators: CloudWatch metrics (`metrics`: the names the dashboard and the
alarms in template.yaml read), structured logs (`logs`: one JSON logger for the whole package,
with the post, workspace and network on every line of a run) and the Lambda handler decorator
that sets both up for one invocation (`handler`). See docs/operations.md."""
