"""Social networks behind one interface (`base.Platform`), one module per network.

Adapters are imported lazily through `registry`, so a function pays at cold start only for the
networks it actually publishes to."""
