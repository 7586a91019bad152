"""`make bench`: what one turn costs, measured against a real stack in one run.

`python -m bankbot.bench` starts its own engine(s), action server and gateway on
free loopback ports with throw-away databases, drives them with bounded,
self-stopping load and prints the figures of issue 13 with the targets next to
them. The parts: `script` (what the customers say), `stacks` (starting one or
two engines), `clients` (the two ways into the stack), `load` (closed loop,
open loop, one long conversation), `stats`, `memory`, `report`, `run`.
"""
