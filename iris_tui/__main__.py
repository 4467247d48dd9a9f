from iris_tui.cli import main

raise SystemExit(main())
