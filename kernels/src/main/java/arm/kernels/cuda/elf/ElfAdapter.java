package arm.kernels.cuda.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Edits a JCuda native library so that it loads against newer CUDA libraries: renames needed
 * libraries (libcublas.so.12 → libcublas.so.13, libcudnn.so.8 → libcudnn.so.9) and the library's
 * own soname, all in place.
 *
 * <p>Why each edit:
 *
 * <ul>
 *   <li>DT_NEEDED names the file the dynamic loader opens; the new name has the same length, so the
 *       .dynstr bytes are overwritten and no offset moves.
 *   <li>The GNU version requirement (Vernaux in .gnu.version_r) names the version node the imported
 *       symbols were linked against ("libcublas.so.12"). glibc refuses to load when a required
 *       version is missing, so the name is renamed with the NEEDED entry, its {@code vna_hash} (the
 *       ELF hash of the name, which glibc compares first) recomputed, and the entry marked {@code
 *       VER_FLG_WEAK}: a missing node then only warns.
 *   <li>The soname: JCudnn 11.7 must answer to the name jcuda 12.6 asks for.
 * </ul>
 *
 * Optionally ({@code unversion}) the imported symbols that referred to a renamed version get
 * version index 1 (global) in .gnu.version, so the loader binds them to whatever default version
 * the new library defines: the fallback if the new library names its version node differently.
 *
 * <p>Every other byte is left as it is. A string that another reference shares (suffix merging in
 * .dynstr) is refused rather than silently renamed for both.
 */
public final class ElfAdapter {
    private ElfAdapter() {}

    /** The adapted bytes and a human-readable line per edit. */
    public record Result(byte[] bytes, List<String> edits) {}

    /**
     * @param in the original library (not modified)
     * @param renames needed-library renames, old → new, equal lengths
     * @param newSoname the new DT_SONAME (same length as the old), or null to keep it
     */
    public static Result adapt(byte[] in, Map<String, String> renames, String newSoname) {
        return adapt(in, renames, newSoname, false);
    }

    /**
     * As {@link #adapt(byte[], Map, String)}; {@code unversion} also makes those imports
     * unversioned.
     */
    public static Result adapt(
            byte[] in, Map<String, String> renames, String newSoname, boolean unversion) {
        Elf64 e = new Elf64(in);
        Map<Long, String> rewrite = new LinkedHashMap<>(); // .dynstr offset -> new string
        List<String> edits = new ArrayList<>();
        List<Elf64.Vernaux> versions = new ArrayList<>();
        for (Elf64.Dyn d : e.dynamic) {
            if (d.tag() == Elf64.DT_NEEDED && renames.containsKey(e.str(d.val()))) {
                rewrite.put(d.val(), renames.get(e.str(d.val())));
                edits.add("NEEDED " + e.str(d.val()) + " -> " + renames.get(e.str(d.val())));
            }
            if (d.tag() == Elf64.DT_SONAME
                    && newSoname != null
                    && !newSoname.equals(e.str(d.val()))) {
                rewrite.put(d.val(), newSoname);
                edits.add("SONAME " + e.str(d.val()) + " -> " + newSoname);
            }
        }
        for (Elf64.Verneed vn : e.verneed) {
            if (renames.containsKey(vn.file()))
                rewrite.put((long) vn.fileOff(), renames.get(vn.file()));
            for (Elf64.Vernaux a : vn.aux())
                if (renames.containsKey(a.name())) {
                    rewrite.put((long) a.nameOff(), renames.get(a.name()));
                    versions.add(a);
                    edits.add(
                            "VERNEED "
                                    + vn.file()
                                    + ":"
                                    + a.name()
                                    + " -> "
                                    + renames.get(a.name())
                                    + " (hash "
                                    + Integer.toHexString(Elf64.elfHash(renames.get(a.name())))
                                    + ", WEAK)");
                }
        }
        checkNotShared(e, rewrite);

        byte[] out = in.clone();
        for (Map.Entry<Long, String> w : rewrite.entrySet()) {
            String old = e.str(w.getKey());
            byte[] nb = w.getValue().getBytes(StandardCharsets.US_ASCII);
            if (nb.length != old.length())
                throw new IllegalArgumentException(
                        "rename " + old + " -> " + w.getValue() + " changes the length");
            System.arraycopy(nb, 0, out, (int) (e.dynstrOff + w.getKey()), nb.length);
        }
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        for (Elf64.Vernaux a : versions) {
            b.putInt((int) a.at(), Elf64.elfHash(renames.get(a.name())));
            b.putShort((int) a.at() + 4, (short) (a.flags() | Elf64.VER_FLG_WEAK));
        }
        if (unversion && !versions.isEmpty() && e.versymOff >= 0) {
            int n = 0;
            for (int i = 0; i < e.versymCount; i++)
                for (Elf64.Vernaux a : versions)
                    if ((e.versym(i) & 0x7fff) == a.other()) {
                        b.putShort((int) (e.versymOff + 2L * i), (short) 1);
                        n++;
                    }
            edits.add("VERSYM " + n + " imports made unversioned");
        }
        return new Result(out, List.copyOf(edits));
    }

    /** Refuses to rewrite a string whose bytes another, unrelated reference also reads. */
    private static void checkNotShared(Elf64 e, Map<Long, String> rewrite) {
        List<Long> refs = new ArrayList<>();
        for (int n : e.dynsymNames) refs.add((long) n);
        for (Elf64.Dyn d : e.dynamic)
            if (d.tag() == Elf64.DT_NEEDED
                    || d.tag() == Elf64.DT_SONAME
                    || d.tag() == 15
                    || d.tag() == 29) refs.add(d.val());
        for (Elf64.Verneed vn : e.verneed) {
            refs.add((long) vn.fileOff());
            for (Elf64.Vernaux a : vn.aux()) refs.add((long) a.nameOff());
        }
        for (long off : rewrite.keySet()) {
            long end = off + e.str(off).length();
            for (long r : refs) {
                boolean inside = r > off && r < end;
                boolean sameButUnrelated = r == off && !rewrite.containsKey(r);
                if (inside || sameButUnrelated)
                    throw new IllegalStateException(
                            "string '" + e.str(off) + "' shares bytes with '" + e.str(r) + "'");
            }
        }
        // a symbol whose name is exactly a renamed string would be renamed too
        for (int n : e.dynsymNames)
            if (rewrite.containsKey((long) n))
                throw new IllegalStateException("symbol name shares the string '" + e.str(n) + "'");
    }
}
