package arm.replica;

import arm.data.Cifar10;
import arm.data.DataFormatException;
import arm.io.FileFormatException;
import java.nio.file.Path;

/**
 * Reads a numpy array out of an unpickled {@link Pickle} value: numpy pickles an ndarray as {@code
 * numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')} followed by BUILD with the state tuple
 * (version, shape, dtype, is_fortran, raw data); the dtype is {@code numpy.dtype('u1', 0, 1)} with
 * its own BUILD state (version, byte-order char, …).
 */
public final class NumpyPickle {
    private NumpyPickle() {}

    /** The bytes of a C-ordered uint8 array of shape [rows, cols]. */
    public static byte[] uint8Matrix(Path f, Object o, int rows, int cols)
            throws DataFormatException {
        if (!(o instanceof Pickle.Call call)
                || !call.callable.name().equals("_reconstruct")
                || !call.callable.module().startsWith("numpy"))
            throw new DataFormatException(
                    f,
                    "'data' should be a pickled numpy array, found "
                            + Cifar10.describe(o)
                            + (o instanceof Pickle.Call c
                                    ? " "
                                            + FileFormatException.quote(
                                                    c.callable.module() + "." + c.callable.name())
                                    : ""));
        if (!(call.state instanceof Object[] st) || st.length != 5)
            throw new DataFormatException(f, "'data': unexpected numpy array state");
        if (!(st[1] instanceof Object[] shape)
                || shape.length != 2
                || !Long.valueOf(rows).equals(shape[0])
                || !Long.valueOf(cols).equals(shape[1]))
            throw new DataFormatException(
                    f,
                    "'data' has shape "
                            + shapeText(st[1])
                            + ", expected ("
                            + rows
                            + ", "
                            + cols
                            + ") to match "
                            + rows
                            + " labels");
        if (!isUint8(st[2])) throw new DataFormatException(f, "'data' is not a uint8 array");
        if (Boolean.TRUE.equals(st[3]) || Long.valueOf(1).equals(st[3]))
            throw new DataFormatException(f, "'data' is Fortran-ordered; expected C order");
        byte[] raw = bytes(st[4]);
        if (raw == null || raw.length != rows * cols)
            throw new DataFormatException(
                    f,
                    "'data' holds "
                            + (raw == null ? "no" : raw.length)
                            + " bytes, expected "
                            + rows
                            + " × "
                            + cols);
        return raw;
    }

    /**
     * Raw bytes as pickled: a Python 2 str or Python 3 bytes (byte[]), or, in protocols below 3
     * written by Python 3, {@code _codecs.encode(text, 'latin1')}.
     */
    private static byte[] bytes(Object o) {
        if (o instanceof byte[] b) return b;
        if (o instanceof String s) return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        if (o instanceof Pickle.Call c
                && c.callable.equals(new Pickle.Global("_codecs", "encode"))
                && c.args.length == 2
                && c.args[0] instanceof String s
                && "latin1".equals(c.args[1]))
            return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return null;
    }

    private static boolean isUint8(Object dtype) {
        if (!(dtype instanceof Pickle.Call c)
                || !c.callable.name().equals("dtype")
                || c.args.length < 1) return false;
        try {
            return Pickle.str(c.args[0]).equals("u1");
        } catch (ClassCastException e) {
            return false;
        }
    }

    private static String shapeText(Object o) {
        if (!(o instanceof Object[] a)) return Cifar10.describe(o);
        if (a.length > 4) return "of rank " + a.length;
        StringBuilder b = new StringBuilder("(");
        for (Object d : a)
            b.append(b.length() > 1 ? ", " : "").append(FileFormatException.describe(d));
        return b.append(")").toString();
    }
}
