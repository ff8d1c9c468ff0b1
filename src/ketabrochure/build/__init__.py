"""Stage 7 and the commands: plan, cache, engine, outputs, run, watch. The only writer of out/
(workers write only into out/.cache/objects/). The pages are site/'s, the server serve/'s."""
