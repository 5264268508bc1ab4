from aiblint.cli import main

raise SystemExit(main())
