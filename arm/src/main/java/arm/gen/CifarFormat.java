package arm.gen;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The two published layouts of a CIFAR-10 batch file, as bytes: the binary records (1 label byte +
 * 3072 pixel bytes) and the python pickle laid out as Python 2's cPickle (protocol 2) wrote the
 * official files: a dict of 'data' (a numpy uint8 array [n, 3072] rebuilt by
 * numpy.core.multiarray._reconstruct), 'labels', 'batch_label' and 'filenames'.
 */
public final class CifarFormat {
    public static final int IMAGE_BYTES = 3 * 32 * 32, RECORD_BYTES = 1 + IMAGE_BYTES;

    private CifarFormat() {}

    /** Records of 1 label byte + 3072 pixel bytes (1024 red, 1024 green, 1024 blue). */
    public static byte[] binary(int[] labels, byte[] pixels) {
        byte[] out = new byte[labels.length * RECORD_BYTES];
        for (int i = 0; i < labels.length; i++) {
            out[i * RECORD_BYTES] = (byte) labels[i];
            System.arraycopy(pixels, i * IMAGE_BYTES, out, i * RECORD_BYTES + 1, IMAGE_BYTES);
        }
        return out;
    }

    /** A data batch: 'data', 'labels', 'batch_label', 'filenames' (image_&lt;i&gt;.png). */
    public static byte[] pickle(int[] labels, byte[] pixels, String batchLabel) {
        String[] names = new String[labels.length];
        for (int i = 0; i < names.length; i++) names[i] = "image_" + i + ".png";
        return pickle(labels, pixels, batchLabel, names);
    }

    public static byte[] pickle(int[] labels, byte[] pixels, String batchLabel, String[] files) {
        W w = new W();
        w.op(0x80).op(2).op('}').put(1).op('(');
        w.shortStr("data").put(2);
        w.global("numpy.core.multiarray", "_reconstruct").put(3);
        w.global("numpy", "ndarray").put(4);
        w.op('K').op(0).op(0x85).put(5);
        w.shortStr("b").put(6).op(0x87).put(7).op('R').put(8);
        w.op('(').op('K').op(1);
        w.integer(labels.length).integer(IMAGE_BYTES).op(0x86).put(9);
        w.global("numpy", "dtype")
                .put(10)
                .shortStr("u1")
                .op('K')
                .op(0)
                .op('K')
                .op(1)
                .op(0x87)
                .op('R')
                .put(11);
        w.op('(').op('K').op(3).shortStr("|").op('N').op('N').op('N');
        w.integer(-1).integer(-1).op('K').op(0).op('t').op('b');
        w.op(0x89); // not Fortran order
        w.op('T').int32(pixels.length).raw(pixels);
        w.op('t').op('b');
        w.shortStr("labels").op(']').put(12);
        for (int start = 0; start < labels.length; start += 1000) { // cPickle: APPENDS by 1000
            w.op('(');
            for (int i = start; i < Math.min(labels.length, start + 1000); i++)
                w.integer(labels[i]);
            w.op('e');
        }
        w.shortStr("batch_label").shortStr(batchLabel);
        w.shortStr("filenames").op(']');
        for (int start = 0; start < files.length; start += 1000) {
            w.op('(');
            for (int i = start; i < Math.min(files.length, start + 1000); i++) w.shortStr(files[i]);
            w.op('e');
        }
        w.op('u').op('.');
        return w.out.toByteArray();
    }

    /** batches.meta: 'label_names', 'num_cases_per_batch', 'num_vis'. */
    public static byte[] meta(List<String> labelNames, int casesPerBatch) {
        W w = new W();
        w.op(0x80).op(2).op('}').op('(');
        w.shortStr("num_cases_per_batch").integer(casesPerBatch);
        w.shortStr("label_names").op(']').op('(');
        for (String s : labelNames) w.shortStr(s);
        w.op('e');
        w.shortStr("num_vis").integer(IMAGE_BYTES);
        w.op('u').op('.');
        return w.out.toByteArray();
    }

    /** Pickle opcode writer. */
    static final class W {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        W op(int b) {
            out.write(b);
            return this;
        }

        W put(int memo) {
            return op('q').op(memo);
        }

        W int32(int v) {
            return op(v).op(v >>> 8).op(v >>> 16).op(v >>> 24);
        }

        W integer(int v) {
            if (v >= 0 && v < 256) return op('K').op(v);
            if (v >= 0 && v < 65536) return op('M').op(v).op(v >>> 8);
            return op('J').int32(v);
        }

        W raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        W shortStr(String s) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            return op('U').op(b.length).raw(b);
        }

        W global(String module, String name) {
            return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
