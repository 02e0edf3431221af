"""EventBridge Scheduler and Lambda async invoke: how a publish run is arranged."""
