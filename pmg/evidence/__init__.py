"""Evidence files (*medios de verificación*): checks by content, storage, hashes, downloads."""
