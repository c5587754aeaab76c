"""``python -m egovstudy``: the command line."""

from egovstudy.cli import main

raise SystemExit(main())
