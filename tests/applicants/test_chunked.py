import hashlib
import json
import os
import threading
import time

import pytest

from jinxuan.applicants.chunked import ChunkError, ChunkStore

DATA = os.urandom(300_001)
SHA = hashlib.sha256(DATA).hexdigest()


def thirds(data: bytes) -> list[bytes]:
    step = len(data) // 3 + 1
    return [data[i : i + step] for i in range(0, len(data), step)]


@pytest.fixture
def store(tmp_path):
    return ChunkStore(tmp_path / "chunks")


def test_upload_in_three_chunks(store):
    upload_id = store.start("../方案书.pdf", len(DATA), SHA)
    assert store.meta(upload_id)["filename"] == "方案书.pdf"
    offset = 0
    chunks = thirds(DATA)
    assert len(chunks) == 3
    for chunk in chunks:
        assert store.offset(upload_id) == offset
        offset = store.append(upload_id, offset, chunk)
    assert offset == len(DATA)
    path, sha = store.finish(upload_id)
    assert sha == SHA
    assert path.read_bytes() == DATA
    assert path.parent == store.root
    assert store.finish(upload_id) == (path, sha)  # idempotent
    assert store.offset(upload_id) == len(DATA)
    with pytest.raises(ChunkError, match="已上传完成"):
        store.append(upload_id, len(DATA), b"x")


def test_meta_file(store):
    upload_id = store.start("a.pdf", 10)
    meta = json.loads((store.root / f"{upload_id}.json").read_text())
    assert meta["total_size"] == 10 and meta["expected_sha256"] is None
    assert len(upload_id) == 32


def test_resume_after_disconnect(store, tmp_path):
    upload_id = store.start("方案书.pdf", len(DATA))
    first, second, third = thirds(DATA)
    store.append(upload_id, 0, first)
    # The client disconnects; a later request (possibly another process) picks it up.
    again = ChunkStore(tmp_path / "chunks")
    offset = again.offset(upload_id)
    assert offset == len(first)
    offset = again.append(upload_id, offset, second)
    offset = again.append(upload_id, offset, third)
    path, sha = again.finish(upload_id)
    assert (path.read_bytes(), sha) == (DATA, SHA)


def test_wrong_offset_refused(store):
    upload_id = store.start("a.pdf", len(DATA))
    store.append(upload_id, 0, DATA[:100])
    for wrong in (0, 50, 101, 10**9):
        with pytest.raises(ChunkError, match="服务器已收到 100 字节") as err:
            store.append(upload_id, wrong, DATA[wrong : wrong + 10])
        assert err.value.offset == 100
    assert store.offset(upload_id) == 100


def test_exceeding_total_refused(store):
    upload_id = store.start("a.pdf", 10)
    with pytest.raises(ChunkError, match="超出声明的文件大小"):
        store.append(upload_id, 0, b"x" * 11)
    assert store.append(upload_id, 0, b"x" * 10) == 10


def test_finish_requires_complete_upload(store):
    upload_id = store.start("a.pdf", 10)
    store.append(upload_id, 0, b"x" * 4)
    with pytest.raises(ChunkError, match="已收到 4 / 10 字节") as err:
        store.finish(upload_id)
    assert err.value.offset == 4


def test_concurrent_appends_same_offset(store):
    upload_id = store.start("a.pdf", len(DATA), SHA)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def worker():
        barrier.wait()
        try:
            results.append(store.append(upload_id, 0, DATA))
        except ChunkError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [len(DATA)]
    assert len(errors) == 7 and all(e.offset == len(DATA) for e in errors)
    path, sha = store.finish(upload_id)
    assert (path.read_bytes(), sha) == (DATA, SHA)


def test_sha_mismatch_refused(store):
    upload_id = store.start("a.pdf", len(DATA), "0" * 64)
    store.append(upload_id, 0, DATA)
    with pytest.raises(ChunkError, match="校验失败"):
        store.finish(upload_id)
    with pytest.raises(ChunkError, match="不存在"):
        store.offset(upload_id)


def test_uppercase_sha_accepted(store):
    upload_id = store.start("a.pdf", len(DATA), SHA.upper())
    store.append(upload_id, 0, DATA)
    assert store.finish(upload_id)[1] == SHA


@pytest.mark.parametrize("bad", ["abc", "0" * 63, "g" * 64, 42])
def test_bad_expected_sha_refused(store, bad):
    with pytest.raises(ChunkError, match="校验值格式不正确"):
        store.start("a.pdf", 10, bad)


@pytest.mark.parametrize("size", [0, -1, 1.5, True, 2 * 1024**3])
def test_bad_total_size_refused(store, size):
    with pytest.raises(ChunkError):
        store.start("a.pdf", size)


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "..",
        "../../etc/passwd",
        "a/b",
        "x" * 31,
        "x" * 33,
        "x" * 31 + "/",
        "x" * 31 + ".",
        "x" * 32 + "\n",
        None,
    ],
)
def test_traversal_or_malformed_id_refused(store, bad_id):
    for call in (
        lambda: store.offset(bad_id),
        lambda: store.append(bad_id, 0, b"x"),
        lambda: store.finish(bad_id),
        lambda: store.discard(bad_id),
    ):
        with pytest.raises(ChunkError, match="上传编号无效"):
            call()


def test_unknown_id_refused(store):
    with pytest.raises(ChunkError, match="不存在"):
        store.offset("A" * 32)


def test_discard(store):
    upload_id = store.start("a.pdf", 10)
    store.append(upload_id, 0, b"x")
    store.discard(upload_id)
    assert list(store.root.iterdir()) == []
    store.discard(upload_id)  # already gone: no error
    with pytest.raises(ChunkError, match="不存在"):
        store.append(upload_id, 1, b"x")


def test_purge_older_than(store):
    old = store.start("old.pdf", 10)
    fresh = store.start("fresh.pdf", 10)
    store.append(fresh, 0, b"x")
    past = time.time() - 7200
    for suffix in ("json", "part"):
        os.utime(store.root / f"{old}.{suffix}", (past, past))
    orphan = store.root / ("B" * 32 + ".part")
    orphan.write_bytes(b"x")
    os.utime(orphan, (past, past))
    (store.root / "unrelated.txt").write_text("keep")
    assert store.purge_older_than(3600) == 2
    assert store.offset(fresh) == 1
    with pytest.raises(ChunkError, match="不存在"):
        store.offset(old)
    assert sorted(p.name for p in store.root.iterdir()) == sorted(
        [f"{fresh}.json", f"{fresh}.part", "unrelated.txt"]
    )
