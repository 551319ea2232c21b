"""Where private uploads (letters from press outlets) are stored: the project's private
storage (elbeday.storage), outside anything that serves the public media. Protocol staff
download the letters through `staff.press.letter`, which reads them from the storage."""

from elbeday import storage
from elbeday.storage import PrivateStorage

__all__ = ["PrivateStorage", "private_storage"]


def private_storage():
    """The storage of the press letters (a callable, so migrations name it and do not
    copy its settings)."""
    return storage.private_storage()
