//! The content-addressed blob store: collected documents kept by their SHA-256, so screening,
//! review and the bundle read exactly what was collected even if the source system changes.
//!
//! A blob is written to a temporary file, synced and renamed into place, so a crash leaves no
//! half-written blob under a real name; writing the same content twice is a no-op. Reading
//! checks the hash, so a damaged file is an error, never silently different content.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A folder of blobs named by their SHA-256 (`ab/cd/abcd…`).
#[derive(Clone, Debug)]
pub struct BlobStore {
    root: PathBuf,
}

/// Hex SHA-256 of `bytes`.
pub fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn valid(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl BlobStore {
    /// A store in `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, hash: &str) -> PathBuf {
        self.root.join(&hash[..2]).join(&hash[2..4]).join(hash)
    }

    /// Store `bytes`; returns their hash.
    pub async fn put(&self, bytes: Vec<u8>) -> io::Result<String> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.put_blocking(&bytes))
            .await
            .map_err(io::Error::other)?
    }

    fn put_blocking(&self, bytes: &[u8]) -> io::Result<String> {
        use std::io::Write;
        let h = hash(bytes);
        let path = self.path(&h);
        if path.exists() {
            return Ok(h);
        }
        let dir = path
            .parent()
            .ok_or_else(|| io::Error::other("a blob path without a folder"))?;
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{h}.{}.tmp", uuid::Uuid::new_v4().simple()));
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &path)?;
        // The rename is durable only once the directory entry is on disk.
        std::fs::File::open(dir)?.sync_all()?;
        Ok(h)
    }

    /// The bytes of blob `hash`, checked against it.
    pub async fn get(&self, hash: &str) -> io::Result<Vec<u8>> {
        if !valid(hash) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a blob hash",
            ));
        }
        let path = self.path(hash);
        let bytes = tokio::fs::read(&path).await?;
        let wanted = hash.to_owned();
        let ok = tokio::task::spawn_blocking({
            let bytes = bytes.clone();
            move || self::hash(&bytes) == wanted
        })
        .await
        .map_err(io::Error::other)?;
        if !ok {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("blob {hash} is damaged: its content no longer matches its hash"),
            ));
        }
        Ok(bytes)
    }

    /// The bytes of blob `hash`, checked against it, read on the calling thread (for code that
    /// already runs on a blocking thread, like the bundle's document source).
    pub fn get_blocking(&self, hash: &str) -> io::Result<Vec<u8>> {
        if !valid(hash) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a blob hash",
            ));
        }
        let bytes = std::fs::read(self.path(hash))?;
        if self::hash(&bytes) != hash {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("blob {hash} is damaged: its content no longer matches its hash"),
            ));
        }
        Ok(bytes)
    }

    /// Whether blob `hash` is stored.
    pub fn contains(&self, hash: &str) -> bool {
        valid(hash) && self.path(hash).exists()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_blob_round_trips_and_a_damaged_one_is_an_error() {
        let dir = std::env::temp_dir().join(format!("sagshub-blobs-{}", uuid::Uuid::new_v4()));
        let store = BlobStore::new(&dir);
        let h = store.put(b"akt 1".to_vec()).await.unwrap();
        assert_eq!(h, hash(b"akt 1"));
        assert_eq!(store.put(b"akt 1".to_vec()).await.unwrap(), h);
        assert_eq!(store.get(&h).await.unwrap(), b"akt 1");
        std::fs::write(store.path(&h), b"akt 2").unwrap();
        let err = store.get(&h).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(store.get("../../etc/passwd").await.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
