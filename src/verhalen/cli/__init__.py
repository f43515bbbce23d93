"""Command line: ``verhalen <opdracht>``. One module per command (``cli/<opdracht>.py``) with
``add_arguments(parser)`` and ``run(args) -> int``; modules load lazily so ``verhalen info``
stays fast."""
