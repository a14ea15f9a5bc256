package arm.replica;

import arm.data.DataFormatException;
import arm.io.FileFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, safe unpickler: enough of Python's pickle protocols 0–4 to read data files such as the
 * CIFAR-10 python batches (a protocol-2 dict holding a numpy array), never executing anything.
 *
 * <p>Python values map to: None → null, bool → Boolean, int → Long, float → Double, unicode str →
 * String, Python-2 str and bytes → byte[] (raw bytes, i.e. what {@code encoding='latin1'} keeps),
 * list → ArrayList, tuple → Object[], dict → LinkedHashMap (byte[] keys become latin1 Strings). A
 * class reference is a {@link Global}; calling one (REDUCE, NEWOBJ) gives an {@link Call} whose
 * BUILD state is recorded, not applied. The caller interprets those (e.g. numpy's _reconstruct).
 *
 * <p>Every read is bounds-checked against the file length, so a truncated or corrupt file gives a
 * {@link DataFormatException} naming the file and the byte offset.
 */
public final class Pickle {

    /** module.name, as referenced by GLOBAL / STACK_GLOBAL. */
    public record Global(String module, String name) {}

    /** callable(*args), with the state a later BUILD attached (null if none). */
    public static final class Call {
        public final Global callable;
        public final Object[] args;
        public Object state;

        Call(Global callable, Object[] args) {
            this.callable = callable;
            this.args = args;
        }
    }

    private static final Object MARK = new Object();

    private final Path file;
    private final byte[] b;
    private int pos;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Pickle(Path file, byte[] bytes) {
        this.file = file;
        this.b = bytes;
    }

    /** Unpickles the first object of {@code bytes} (the contents of {@code file}). */
    public static Object load(Path file, byte[] bytes) throws DataFormatException {
        Pickle p = new Pickle(file, bytes);
        try {
            return p.run();
        } catch (IndexOutOfBoundsException | ClassCastException | NegativeArraySizeException e) {
            throw new DataFormatException(
                    file,
                    "malformed pickle near byte "
                            + p.pos
                            + " ("
                            + FileFormatException.oneLine(String.valueOf(e.getMessage()))
                            + ")",
                    e);
        }
    }

    private Object run() throws DataFormatException {
        while (true) {
            int at = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v > 5) throw bad(at, "pickle protocol " + v + " is not supported");
                }
                case 0x95 -> skip(8); // FRAME (protocol 4): only a length hint
                case '.' -> { // STOP
                    if (stack.size() != 1)
                        throw bad(at, "STOP with " + stack.size() + " values on the stack");
                    return stack.get(0);
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                    stack.add(MARK);
                }
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'J' -> stack.add((long) i32());
                case 'K' -> stack.add((long) u8());
                case 'M' -> stack.add((long) (u8() | u8() << 8));
                case 0x8a -> stack.add(long1(u8())); // LONG1
                case 'G' -> stack.add(Double.longBitsToDouble(be64())); // BINFLOAT
                case 'U', 'C' -> stack.add(bytes(u8())); // SHORT_BINSTRING, SHORT_BINBYTES
                case 'T', 'B' -> stack.add(bytes(len32())); // BINSTRING, BINBYTES
                case 0x8e -> stack.add(bytes(len64())); // BINBYTES8
                case 0x8c -> stack.add(text(u8())); // SHORT_BINUNICODE
                case 'X' -> stack.add(text(len32())); // BINUNICODE
                case 0x8d -> stack.add(text(len64())); // BINUNICODE8
                case ']' -> stack.add(new ArrayList<>());
                case '}' -> stack.add(new LinkedHashMap<>());
                case ')' -> stack.add(new Object[0]);
                case 'l' -> stack.add(new ArrayList<>(List.of(popMark()))); // LIST (protocol 0/1)
                case 't' -> stack.add(popMark()); // TUPLE
                case 0x85 -> stack.add(new Object[] {pop()}); // TUPLE1
                case 0x86 -> {
                    Object y = pop(), x = pop();
                    stack.add(new Object[] {x, y});
                }
                case 0x87 -> {
                    Object z = pop(), y = pop(), x = pop();
                    stack.add(new Object[] {x, y, z});
                }
                case 'a' -> {
                    Object v = pop();
                    list(top(), at).add(v);
                } // APPEND
                case 'e' -> {
                    Object[] vs = popMark();
                    List<Object> l = list(top(), at);
                    for (Object v : vs) l.add(v);
                }
                case 's' -> {
                    Object v = pop(), k = pop();
                    dict(top(), at).put(key(k), v);
                } // SETITEM
                case 'u' -> { // SETITEMS
                    Object[] kv = popMark();
                    Map<Object, Object> d = dict(top(), at);
                    for (int i = 0; i + 1 < kv.length; i += 2) d.put(key(kv[i]), kv[i + 1]);
                }
                case 'd' -> { // DICT (protocol 0/1)
                    Object[] kv = popMark();
                    Map<Object, Object> d = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < kv.length; i += 2) d.put(key(kv[i]), kv[i + 1]);
                    stack.add(d);
                }
                case 'q' -> memo.put((long) u8(), top()); // BINPUT
                case 'r' -> memo.put(len32(), top()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
                case 'h' -> stack.add(memoGet(u8(), at)); // BINGET
                case 'j' -> stack.add(memoGet(len32(), at)); // LONG_BINGET
                case 'c' -> stack.add(new Global(line(), line())); // GLOBAL
                case 0x93 -> {
                    Object name = pop(), module = pop();
                    stack.add(new Global(str(module), str(name)));
                }
                case 'R', 0x81 -> { // REDUCE, NEWOBJ
                    Object args = pop(), fn = pop();
                    if (!(fn instanceof Global g))
                        throw bad(
                                at,
                                "call of a non-class " + FileFormatException.quote(typeName(fn)));
                    stack.add(new Call(g, (Object[]) args));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    if (!(top() instanceof Call c)) throw bad(at, "BUILD on a " + typeName(top()));
                    c.state = state;
                }
                default -> throw bad(at, String.format("unsupported pickle opcode 0x%02x", op));
            }
        }
    }

    // ------------------------------------------------------------ stack

    private Object pop() {
        Object v = stack.remove(stack.size() - 1);
        if (v == MARK) throw new IndexOutOfBoundsException("value expected, found a MARK");
        return v;
    }

    /**
     * The kind of a stack value for messages (never its contents: they may be megabytes of bytes).
     */
    private static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private Object top() {
        return stack.get(stack.size() - 1);
    }

    private Object[] popMark() {
        int m = marks.remove(marks.size() - 1);
        Object[] out = stack.subList(m + 1, stack.size()).toArray();
        while (stack.size() > m) stack.remove(stack.size() - 1);
        return out;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, int at) throws DataFormatException {
        if (o instanceof List<?> l) return (List<Object>) l;
        throw bad(at, "APPEND to a non-list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, int at) throws DataFormatException {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw bad(at, "SETITEM on a non-dict");
    }

    private Object memoGet(long k, int at) throws DataFormatException {
        if (!memo.containsKey(k)) throw bad(at, "memo key " + k + " was never stored");
        return memo.get(k);
    }

    private static Object key(Object k) {
        return k instanceof byte[] a ? new String(a, StandardCharsets.ISO_8859_1) : k;
    }

    /** A str/bytes value as text (latin1 for raw bytes). */
    public static String str(Object o) {
        if (o instanceof String s) return s;
        if (o instanceof byte[] a) return new String(a, StandardCharsets.ISO_8859_1);
        throw new ClassCastException(
                "expected a string, found " + (o == null ? "None" : o.getClass().getSimpleName()));
    }

    // ------------------------------------------------------------ bytes

    private int u8() {
        if (pos >= b.length)
            throw new IndexOutOfBoundsException("unexpected end of file (truncated?)");
        return b[pos++] & 0xFF;
    }

    private int i32() {
        return u8() | u8() << 8 | u8() << 16 | u8() << 24;
    }

    private long len32() {
        return i32() & 0xFFFFFFFFL;
    }

    private long len64() {
        long lo = len32(), hi = len32();
        return hi << 32 | lo;
    }

    private long be64() {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | u8();
        return v;
    }

    private long long1(int n) throws DataFormatException {
        if (n > 8) throw bad(pos, "integer of " + n + " bytes is too large");
        long v = 0;
        for (int i = 0; i < n; i++) v |= (long) u8() << (8 * i);
        if (n > 0 && n < 8 && (v >>> (8 * n - 1) & 1) != 0) v -= 1L << (8 * n); // two's complement
        return v;
    }

    private void skip(long n) {
        if (n > b.length - pos)
            throw new IndexOutOfBoundsException("unexpected end of file (truncated?)");
        pos += (int) n;
    }

    private byte[] bytes(long n) {
        if (n < 0 || n > b.length - pos)
            throw new IndexOutOfBoundsException(
                    "a " + n + "-byte string runs past the end of the file (truncated?)");
        byte[] out = new byte[(int) n];
        System.arraycopy(b, pos, out, 0, (int) n);
        pos += (int) n;
        return out;
    }

    private String text(long n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String line() {
        int start = pos;
        while (u8() != '\n') {}
        return new String(b, start, pos - 1 - start, StandardCharsets.ISO_8859_1);
    }

    private DataFormatException bad(int at, String what) {
        return new DataFormatException(file, what + " (pickle byte " + at + ")");
    }
}
