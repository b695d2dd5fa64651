"""Where files live: the storage backend chosen from the environment (`config`, Django-free) and the helpers that
write, read, hash and hand out attachments, print-outs, compendium files and backups (`files`). Below every app."""
