//! Size limits of the CDE readers against generated zip bombs: a few megabytes of ZIP whose
//! one member expands to nearly 4 GiB of zeros, built here from raw deflate blocks (no 4 GiB
//! buffer is ever made, by the test or by the reader).

use std::io::Cursor;

use flate2::{Compress, Compression, FlushCompress};
use plainsight_nibrs::{NibrsError, ReadLimits, ReadOptions, read_cde_dir, read_cde_zip};

/// Raw deflate of `input` ending on a byte boundary with a non-final block (a sync flush), so
/// such pieces can be concatenated into one stream.
fn deflate_piece(input: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(input.len() / 2 + 1024);
    loop {
        let consumed = c.total_in() as usize;
        out.reserve(64 * 1024);
        c.compress_vec(&input[consumed..], &mut out, FlushCompress::Sync)
            .unwrap();
        if c.total_in() as usize == input.len() && out.capacity() > out.len() {
            break;
        }
    }
    out
}

/// A ZIP with one deflated member `name`: `head`, then `zero_mib` MiB of zero bytes, declared
/// as `declared` expanded bytes (the true size unless a lying header is wanted).
fn zip_bomb(name: &str, head: &[u8], zero_mib: u64, declared: Option<u32>) -> Vec<u8> {
    const MIB: usize = 1 << 20;
    let zeros = vec![0u8; MIB];
    let zero_piece = deflate_piece(&zeros);
    let mut data = deflate_piece(head);
    let mut crc = crc32fast::Hasher::new();
    crc.update(head);
    let mut zero_crc = crc32fast::Hasher::new();
    zero_crc.update(&zeros);
    for _ in 0..zero_mib {
        data.extend_from_slice(&zero_piece);
        crc.combine(&zero_crc);
    }
    // The final, empty block: BFINAL=1, fixed Huffman, end-of-block.
    data.extend_from_slice(&[0x03, 0x00]);
    let size = head.len() as u64 + zero_mib * MIB as u64;
    let size = declared.unwrap_or_else(|| u32::try_from(size).expect("under 4 GiB"));
    let crc = crc.finalize();
    let csize = u32::try_from(data.len()).unwrap();
    let name = name.as_bytes();
    let mut zip = Vec::new();
    let common = |z: &mut Vec<u8>| {
        z.extend_from_slice(&20u16.to_le_bytes()); // version needed
        z.extend_from_slice(&0u16.to_le_bytes()); // flags
        z.extend_from_slice(&8u16.to_le_bytes()); // deflate
        z.extend_from_slice(&0u16.to_le_bytes()); // time
        z.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
        z.extend_from_slice(&crc.to_le_bytes());
        z.extend_from_slice(&csize.to_le_bytes());
        z.extend_from_slice(&size.to_le_bytes());
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes()); // extra length
    };
    zip.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    common(&mut zip);
    zip.extend_from_slice(name);
    zip.extend_from_slice(&data);
    let cd_offset = zip.len() as u32;
    zip.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    zip.extend_from_slice(&20u16.to_le_bytes()); // version made by
    common(&mut zip);
    zip.extend_from_slice(&0u16.to_le_bytes()); // comment length
    zip.extend_from_slice(&0u16.to_le_bytes()); // disk
    zip.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    zip.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    zip.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    zip.extend_from_slice(name);
    let cd_size = zip.len() as u32 - cd_offset;
    zip.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    zip.extend_from_slice(&[0, 0, 0, 0]); // disks
    zip.extend_from_slice(&1u16.to_le_bytes());
    zip.extend_from_slice(&1u16.to_le_bytes());
    zip.extend_from_slice(&cd_size.to_le_bytes());
    zip.extend_from_slice(&cd_offset.to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip
}

const HEAD: &[u8] = b"arrestee_id,incident_id,offense_code\n";

fn options(limits: ReadLimits) -> ReadOptions {
    ReadOptions {
        state: Some("LA".into()),
        year: Some(2014),
        limits,
    }
}

fn refusal(result: Result<plainsight_nibrs::Dataset, NibrsError>) -> String {
    match result {
        Err(NibrsError::Refused { reason, .. }) => reason,
        Err(other) => panic!("expected a refusal, got {other}"),
        Ok(_) => panic!("expected a refusal, the package was read"),
    }
}

#[test]
fn a_4_gib_record_is_refused_at_the_record_limit() {
    // 4,095 MiB of zeros after the header: one record of nearly 4 GiB.
    let bomb = zip_bomb("pkg/NIBRS_ARRESTEE.csv", HEAD, 4_095, None);
    assert!(bomb.len() < 8 << 20, "{} bytes", bomb.len());
    let reason = refusal(read_cde_zip(
        Cursor::new(bomb),
        "bomb.zip",
        &options(ReadLimits::default()),
    ));
    assert!(
        reason.contains("record longer than 1048576 bytes"),
        "{reason}"
    );
}

#[test]
fn declared_sizes_over_a_limit_are_refused_before_reading() {
    let bomb = zip_bomb("pkg/NIBRS_ARRESTEE.csv", HEAD, 64, None);
    let small = ReadLimits {
        max_member_bytes: 16 << 20,
        ..Default::default()
    };
    let reason = refusal(read_cde_zip(
        Cursor::new(bomb.clone()),
        "b.zip",
        &options(small),
    ));
    let declared = format!("declares {} bytes", (64 << 20) + HEAD.len());
    assert!(reason.contains(&declared), "{reason}");
    let total = ReadLimits {
        max_total_bytes: 16 << 20,
        ..Default::default()
    };
    let reason = refusal(read_cde_zip(
        Cursor::new(bomb.clone()),
        "b.zip",
        &options(total),
    ));
    assert!(reason.contains("total limit"), "{reason}");
    let few = ReadLimits {
        max_members: 0,
        ..Default::default()
    };
    let reason = refusal(read_cde_zip(Cursor::new(bomb), "b.zip", &options(few)));
    assert!(reason.contains("1 members"), "{reason}");
}

#[test]
fn a_member_that_lies_about_its_size_is_stopped_while_expanding() {
    // Declared as 100 bytes, it expands to 64 MiB of short lines' worth of zeros: the
    // expansion itself is counted against the member limit.
    let bomb = zip_bomb("pkg/NIBRS_ARRESTEE.csv", HEAD, 64, Some(100));
    let limits = ReadLimits {
        max_member_bytes: 8 << 20,
        max_record_bytes: 256 << 20,
        ..Default::default()
    };
    match read_cde_zip(Cursor::new(bomb), "liar.zip", &options(limits)) {
        // The zip reader may itself stop at the declared size (a CRC or size error).
        Err(NibrsError::Refused { reason, .. }) => {
            assert!(reason.contains("member limit"), "{reason}")
        }
        Err(NibrsError::Read { .. } | NibrsError::Zip { .. }) => {}
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a lying member was read as if whole"),
    }
}

#[test]
fn an_unpacked_folder_is_bounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = HEAD.to_vec();
    text.extend(std::iter::repeat_n(b'7', 3 << 20));
    std::fs::write(dir.path().join("NIBRS_ARRESTEE.csv"), text).unwrap();
    let reason = refusal(read_cde_dir(dir.path(), &options(ReadLimits::default())));
    assert!(reason.contains("record longer than"), "{reason}");
    // Under a generous record limit the same folder reads.
    let generous = ReadLimits {
        max_record_bytes: 8 << 20,
        ..Default::default()
    };
    assert!(read_cde_dir(dir.path(), &options(generous)).is_ok());
}
