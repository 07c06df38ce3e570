"""Engine layer: a console session with no Jupyter in it.

The session reads a transport without pause into an emulated screen (screen, ingest) and keeps
every byte (transcript, with secrets masked); the console decides when a typed line has been
answered (prompts, patterns) and takes snapshots.  It imports nothing above it: transports
are passed in (any object with `Transport`'s methods), power actions come as callables.
"""
