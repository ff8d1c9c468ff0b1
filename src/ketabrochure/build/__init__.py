"""Stage 7 and the commands: plan, cache, engine, outputs, shelf, run, watch. The only writer of
out/ (workers write only into out/.cache/objects/)."""
