"""Reading a file named on the command line, with the reason in Chinese when it cannot be read."""

from pathlib import Path

from django.core.management.base import CommandError


def read_file_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise CommandError(f"文件不存在：{path}") from exc
    except IsADirectoryError as exc:
        raise CommandError(f"不是文件而是目录：{path}") from exc
    except OSError as exc:
        raise CommandError(f"无法读取文件：{path}（{exc.strerror}）") from exc
