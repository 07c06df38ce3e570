"""Tools layer: what a person runs from a shell (`serial-console install | sim | run`), the
headless runner and papermill's hook.  It may use every layer below."""
