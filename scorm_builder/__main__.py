import sys

from scorm_builder.cli import main

sys.exit(main())
