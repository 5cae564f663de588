"""`python -m bench`: run every benchmark (today: the directory search and storefronts)."""

from bench.directory import main

raise SystemExit(main())
