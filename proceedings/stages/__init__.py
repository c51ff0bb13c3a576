"""The build stages, in the order they run: gather, validate, plan, stamp, bind, verify."""
