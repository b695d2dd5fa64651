"""The `jinxuan` command: project subcommands plus every Django management command.

    jinxuan preset validate FILE    jinxuan preset load FILE
    jinxuan audit verify            jinxuan demo
    jinxuan migrate / runserver / …  (passed through to Django)
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinxuan.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "jinxuan"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
