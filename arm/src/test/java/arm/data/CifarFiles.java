package arm.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes small CIFAR-10 batches in both real formats for the loader tests: the binary records, and
 * the python pickle byte for byte as Python 2's cPickle (protocol 2) lays out the official files
 * (dict of 'data' → numpy _reconstruct + BUILD, 'labels', 'batch_label', 'filenames').
 */
final class CifarFiles {
    private CifarFiles() {}

    static void writeBinary(Path file, int[] labels, byte[] pixels) throws IOException {
        byte[] out = new byte[labels.length * Cifar10.RECORD_BYTES];
        for (int i = 0; i < labels.length; i++) {
            out[i * Cifar10.RECORD_BYTES] = (byte) labels[i];
            System.arraycopy(
                    pixels,
                    i * Cifar10.IMAGE_BYTES,
                    out,
                    i * Cifar10.RECORD_BYTES + 1,
                    Cifar10.IMAGE_BYTES);
        }
        Files.write(file, out);
    }

    static void writePickle(Path file, int[] labels, byte[] pixels, String batchLabel)
            throws IOException {
        Files.write(file, pickle(labels, pixels, batchLabel));
    }

    static byte[] pickle(int[] labels, byte[] pixels, String batchLabel) {
        W w = new W();
        w.op(0x80).op(2).op('}').put(1).op('(');
        w.shortStr("data").put(2);
        w.global("numpy.core.multiarray", "_reconstruct").put(3);
        w.global("numpy", "ndarray").put(4);
        w.op('K').op(0).op(0x85).put(5);
        w.shortStr("b").put(6).op(0x87).put(7).op('R').put(8);
        w.op('(').op('K').op(1);
        w.integer(labels.length).integer(Cifar10.IMAGE_BYTES).op(0x86).put(9);
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
        for (int start = 0;
                start < labels.length;
                start += 1000) { // cPickle batches APPENDS by 1000
            w.op('(');
            for (int i = start; i < Math.min(labels.length, start + 1000); i++)
                w.integer(labels[i]);
            w.op('e');
        }
        w.shortStr("batch_label").shortStr(batchLabel);
        w.shortStr("filenames").op(']').op('(');
        for (int i = 0; i < labels.length; i++) w.shortStr("image_" + i + ".png");
        w.op('e');
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
