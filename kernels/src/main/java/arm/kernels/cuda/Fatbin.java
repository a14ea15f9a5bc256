package arm.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a fatbin (nvcc -fatbin) holds: which SASS architectures and which PTX targets. Pure Java, so
 * the CPU machine can test it and the backend can refuse a card in one line before the driver does.
 *
 * <p>Layout (little endian): a 16-byte header (magic 0xBA55ED50, u16 version, u16 header size, u64
 * size of the entries), then entries, each a header (u16 kind: 1 = PTX, 2 = ELF/SASS; u32 header
 * size at byte 4; u64 payload size at 8; u32 architecture, e.g. 86, at 28) followed by its payload.
 *
 * <p>Which cards an entry serves: SASS for sm_XY runs on compute capability X.Z with Z ≥ Y (same
 * major); PTX for compute_XY is compiled by the driver for any card of capability ≥ X.Y.
 */
public record Fatbin(List<Integer> sass, List<Integer> ptx) {
    static final int MAGIC = 0xBA55ED50;

    public static Fatbin parse(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length < 16 || b.getInt(0) != MAGIC)
            throw new IllegalArgumentException("not a fatbin (bad magic)");
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long end = headerSize + b.getLong(8);
        List<Integer> sass = new ArrayList<>(), ptx = new ArrayList<>();
        for (long off = headerSize; off + 32 <= Math.min(end, image.length); ) {
            int at = (int) off;
            int kind = Short.toUnsignedInt(b.getShort(at));
            int entryHeader = b.getInt(at + 4);
            long size = b.getLong(at + 8);
            int arch = b.getInt(at + 28);
            if (kind == 1) ptx.add(arch);
            else if (kind == 2) sass.add(arch);
            if (entryHeader <= 0 || size < 0)
                throw new IllegalArgumentException("corrupt fatbin entry at byte " + at);
            off += entryHeader + size;
        }
        return new Fatbin(List.copyOf(sass), List.copyOf(ptx));
    }

    /** Whether the driver can run this fatbin on a card of compute capability major.minor. */
    public boolean runsOn(int major, int minor) {
        int cc = 10 * major + minor;
        for (int a : sass) if (a / 10 == major && a % 10 <= minor) return true;
        for (int a : ptx) if (a <= cc) return true;
        return false;
    }

    /** "sm_80, sm_86, sm_89, sm_90 + PTX compute_80". */
    public String targets() {
        String s = sass.stream().map(a -> "sm_" + a).collect(Collectors.joining(", "));
        String p = ptx.stream().map(a -> "compute_" + a).collect(Collectors.joining(", "));
        return p.isEmpty() ? s : s + " + PTX " + p;
    }

    /**
     * Null when the module runs on the card, else the one line the backend refuses with, e.g. "our
     * CUDA kernels (elementwise.fatbin: sm_80, …) do not cover Tesla T4, compute capability 7.5".
     */
    public String refusal(String module, String card, int major, int minor) {
        if (runsOn(major, minor)) return null;
        return "CUDA not available: our CUDA kernels ("
                + module
                + ".fatbin: "
                + targets()
                + ") do not cover "
                + card
                + ", compute capability "
                + major
                + "."
                + minor
                + "; rebuild them with kernels/src/main/cuda/build.sh for sm_"
                + major
                + minor;
    }
}
