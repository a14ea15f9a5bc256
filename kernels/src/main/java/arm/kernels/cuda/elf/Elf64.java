package arm.kernels.cuda.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only view of the parts of a little-endian ELF64 shared library that the native adapter
 * edits: section headers, the dynamic section (.dynamic), its string table (.dynstr), the dynamic
 * symbol table (.dynsym) and the version requirements (.gnu.version_r = Verneed/Vernaux chains).
 *
 * <p>Offsets are file offsets; every record keeps the offset of its own fields so that {@link
 * ElfAdapter} can patch them in place. Layouts follow the System V gABI and the GNU
 * symbol-versioning extension (Elf64_Verneed is 16 bytes, Elf64_Vernaux 16 bytes).
 */
public final class Elf64 {
    public static final int SHT_DYNSYM = 11;
    public static final int SHT_DYNAMIC = 6;
    public static final int SHT_GNU_VERNEED = 0x6ffffffe;
    public static final int SHT_GNU_VERSYM = 0x6fffffff;
    public static final long DT_NULL = 0, DT_NEEDED = 1, DT_SONAME = 14;

    /** Vernaux flag: a missing version is a warning, not an error, for the dynamic loader. */
    public static final int VER_FLG_WEAK = 0x2;

    /** One section header (the fields we use). */
    public record Section(
            int index, int type, long offset, long size, int link, int info, long entsize) {}

    /** One .dynamic entry; {@code at} is the file offset of the entry. */
    public record Dyn(long tag, long val, long at) {}

    /** One Vernaux entry: a required version name of a needed file. */
    public record Vernaux(long at, int hash, int flags, int other, int nameOff, String name) {}

    /** One Verneed entry: a needed file and the versions required from it. */
    public record Verneed(long at, int fileOff, String file, List<Vernaux> aux) {}

    public final byte[] bytes;
    private final ByteBuffer b;
    public final List<Section> sections = new ArrayList<>();
    public final List<Dyn> dynamic = new ArrayList<>();
    public final List<Verneed> verneed = new ArrayList<>();

    /** st_name of every .dynsym entry (offsets into .dynstr). */
    public final List<Integer> dynsymNames = new ArrayList<>();

    /** File offset of .gnu.version (one u16 version index per .dynsym entry), or -1. */
    public long versymOff = -1;

    /** Number of .gnu.version entries. */
    public int versymCount;

    /** File offset and size of .dynstr. */
    public final long dynstrOff, dynstrSize;

    public Elf64(byte[] bytes) {
        this.bytes = bytes;
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || b.getInt(0) != 0x464c457f)
            throw new IllegalArgumentException("not an ELF file");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new IllegalArgumentException("not a little-endian ELF64 file");
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3A)),
                shnum = Short.toUnsignedInt(b.getShort(0x3C));
        for (int i = 0; i < shnum; i++) {
            int o = Math.toIntExact(shoff + (long) i * shentsize);
            sections.add(
                    new Section(
                            i,
                            b.getInt(o + 4),
                            b.getLong(o + 0x18),
                            b.getLong(o + 0x20),
                            b.getInt(o + 0x28),
                            b.getInt(o + 0x2C),
                            b.getLong(o + 0x38)));
        }
        Section dyn = only(SHT_DYNAMIC, ".dynamic");
        Section str = sections.get(dyn.link());
        dynstrOff = str.offset();
        dynstrSize = str.size();
        for (long o = dyn.offset(); o + 16 <= dyn.offset() + dyn.size(); o += 16) {
            long tag = b.getLong((int) o);
            dynamic.add(new Dyn(tag, b.getLong((int) o + 8), o));
            if (tag == DT_NULL) break;
        }
        for (Section s : sections) {
            if (s.type() == SHT_DYNSYM)
                for (long o = s.offset() + 24; o + 24 <= s.offset() + s.size(); o += 24)
                    dynsymNames.add(b.getInt((int) o));
            if (s.type() == SHT_GNU_VERNEED) readVerneed(s);
            if (s.type() == SHT_GNU_VERSYM) {
                versymOff = s.offset();
                versymCount = (int) (s.size() / 2);
            }
        }
    }

    private Section only(int type, String what) {
        Section found = null;
        for (Section s : sections) {
            if (s.type() != type) continue;
            if (found != null) throw new IllegalArgumentException("two " + what + " sections");
            found = s;
        }
        if (found == null)
            throw new IllegalArgumentException("no " + what + " section (not a shared library?)");
        return found;
    }

    // Elf64_Verneed: u16 vn_version, u16 vn_cnt, u32 vn_file, u32 vn_aux, u32 vn_next
    // Elf64_Vernaux: u32 vna_hash, u16 vna_flags, u16 vna_other, u32 vna_name, u32 vna_next
    private void readVerneed(Section s) {
        long o = s.offset();
        for (int i = 0; i < s.info(); i++) {
            int cnt = Short.toUnsignedInt(b.getShort((int) o + 2)), file = b.getInt((int) o + 4);
            List<Vernaux> aux = new ArrayList<>();
            long a = o + b.getInt((int) o + 8);
            for (int j = 0; j < cnt; j++) {
                int name = b.getInt((int) a + 8);
                aux.add(
                        new Vernaux(
                                a,
                                b.getInt((int) a),
                                Short.toUnsignedInt(b.getShort((int) a + 4)),
                                Short.toUnsignedInt(b.getShort((int) a + 6)),
                                name,
                                str(name)));
                int next = b.getInt((int) a + 12);
                if (next == 0) break;
                a += next;
            }
            verneed.add(new Verneed(o, file, str(file), List.copyOf(aux)));
            int next = b.getInt((int) o + 12);
            if (next == 0) break;
            o += next;
        }
    }

    /** The NUL-terminated string at {@code off} in .dynstr. */
    public String str(long off) {
        if (off < 0 || off >= dynstrSize)
            throw new IllegalArgumentException("string offset " + off + " outside .dynstr");
        int start = (int) (dynstrOff + off), end = start;
        while (bytes[end] != 0) end++;
        return new String(bytes, start, end - start, StandardCharsets.US_ASCII);
    }

    /** Names of the DT_NEEDED libraries, in order. */
    public List<String> needed() {
        List<String> out = new ArrayList<>();
        for (Dyn d : dynamic) if (d.tag() == DT_NEEDED) out.add(str(d.val()));
        return out;
    }

    /** The version index of dynamic symbol i (.gnu.version), bit 15 = hidden. */
    public int versym(int i) {
        return Short.toUnsignedInt(b.getShort((int) (versymOff + 2L * i)));
    }

    /** DT_SONAME, or null. */
    public String soname() {
        for (Dyn d : dynamic) if (d.tag() == DT_SONAME) return str(d.val());
        return null;
    }

    /** The System V ELF hash (used for vna_hash / vd_hash). */
    public static int elfHash(String name) {
        long h = 0;
        for (byte c : name.getBytes(StandardCharsets.US_ASCII)) {
            h = (h << 4) + (c & 0xff);
            long g = h & 0xf0000000L;
            if (g != 0) h ^= g >>> 24;
            h &= ~g;
        }
        return (int) h;
    }
}
