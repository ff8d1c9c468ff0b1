"""Stage 2: YAML -> model. Safe YAML with marks, typed fields, and every problem located."""
