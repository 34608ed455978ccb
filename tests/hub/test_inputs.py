"""Input files' content hashes, remembered by stat signature: trusted while the file is untouched, taken
again after any write, never remembered for a file still being written."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from hub.inputs import FileDigests


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_remembered_hash_is_trusted_while_the_file_is_untouched(tmp_path: Path) -> None:
    export = tmp_path / "sessions.csv"
    export.write_bytes(b"session_id,student_id\ns1,a\n")
    store = tmp_path / "digests.json"
    first = FileDigests(store, settling_ns=0)
    assert first.digest(export) == _sha(export.read_bytes())
    first.save()
    # the store is what is trusted: a digest stored for this very signature is taken without reading
    known = json.loads(store.read_text())
    known[str(export)][-1] = "remembered"
    store.write_text(json.dumps(known))

    assert FileDigests(store, settling_ns=0).digest(export) == "remembered"


def test_a_write_that_keeps_size_and_modification_time_is_still_seen(tmp_path: Path) -> None:
    export = tmp_path / "AssessmentResults.csv"
    export.write_bytes(b"StudentID,TestRITScore\n1,201\n")
    stat = export.stat()
    store = tmp_path / "digests.json"
    digests = FileDigests(store, settling_ns=0)
    digests.digest(export)
    digests.save()

    export.write_bytes(b"StudentID,TestRITScore\n1,209\n")  # same size
    os.utime(export, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old modification time

    assert FileDigests(store, settling_ns=0).digest(export) == _sha(export.read_bytes())


def test_a_file_written_moments_ago_is_hashed_but_not_remembered(tmp_path: Path) -> None:
    export = tmp_path / "sessions.csv"
    export.write_bytes(b"session_id\ns1\n")
    store = tmp_path / "digests.json"
    digests = FileDigests(store)  # the default: two seconds of stillness before a hash is remembered

    assert digests.digest(export) == _sha(export.read_bytes())
    digests.save()
    assert str(export) not in FileDigests(store).known


def test_an_unreadable_store_means_hashing_again(tmp_path: Path) -> None:
    export = tmp_path / "tutors.csv"
    export.write_bytes(b"tutor_id\nt1\n")
    store = tmp_path / "digests.json"
    store.write_text("{not json")

    assert FileDigests(store, settling_ns=0).digest(export) == _sha(export.read_bytes())
