package arm.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON read from files we do not trust (checkpoint headers, results.json): parsed with duplicate
 * keys, trailing tokens, NaN literals and deep nesting rejected, then read field by field through
 * {@link At}, which checks each value's type and range and names the field by its path
 * ("runs[3].test.t[2]") when it is wrong. Nothing in the file decides which classes are built.
 */
public final class StrictJson {
    private StrictJson() {}

    /** Nesting deeper than this is no file of ours. */
    static final int MAX_DEPTH = 32;

    public static final ObjectMapper MAPPER =
            JsonMapper.builder(
                            JsonFactory.builder()
                                    .streamReadConstraints(
                                            StreamReadConstraints.builder()
                                                    .maxNestingDepth(MAX_DEPTH)
                                                    .maxNumberLength(64)
                                                    .build())
                                    .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    /** Parses {@code json}; {@code field} says which part of {@code file} it is, for messages. */
    public static At parse(Path file, String field, byte[] json) throws FileFormatException {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || n.isMissingNode())
                throw new FileFormatException(file, field, "empty JSON");
            return new At(file, field, n);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new FileFormatException(
                    file,
                    field,
                    "not valid JSON: "
                            + parserMessage(e.getOriginalMessage())
                            + (loc == null
                                    ? ""
                                    : " (line "
                                            + loc.getLineNr()
                                            + ", column "
                                            + loc.getColumnNr()
                                            + ")"));
        } catch (IOException e) {
            throw new FileFormatException(
                    file, field, "not valid JSON: " + parserMessage(e.getMessage()));
        }
    }

    /**
     * Jackson's message with the file content it quotes ('token', "text") cut to a few escaped
     * characters and its explanatory tail (after the first line or 160 characters) dropped.
     */
    static String parserMessage(String m) {
        if (m == null) return "unreadable";
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        Matcher q = Pattern.compile("'([^']*)'|\"([^\"]*)\"").matcher(m);
        StringBuilder b = new StringBuilder();
        while (q.find())
            q.appendReplacement(
                    b,
                    Matcher.quoteReplacement(
                            FileFormatException.quote(
                                    q.group(1) != null ? q.group(1) : q.group(2))));
        q.appendTail(b);
        return b.length() > 160 ? b.substring(0, 160) + "…" : b.toString();
    }

    /** A JSON value at a known path of a known file, read with checks. */
    public record At(Path file, String path, JsonNode node) {

        public FileFormatException bad(String what) {
            return new FileFormatException(file, path, what);
        }

        private At child(String key, JsonNode n) {
            boolean plain =
                    key.length() <= FileFormatException.QUOTED && key.matches("[A-Za-z0-9_.-]+");
            return new At(file, path + "." + (plain ? key : FileFormatException.quote(key)), n);
        }

        public At get(String key) throws FileFormatException {
            object();
            JsonNode n = node.get(key);
            if (n == null) throw bad("missing field '" + key + "'");
            return child(key, n);
        }

        /** The field, or null when it is absent or JSON null. */
        public At opt(String key) throws FileFormatException {
            object();
            JsonNode n = node.get(key);
            return n == null || n.isNull() ? null : child(key, n);
        }

        public boolean isNull() {
            return node.isNull();
        }

        public At object() throws FileFormatException {
            if (!node.isObject()) throw bad("expected an object, found " + kind(node));
            return this;
        }

        /** The fields of an object, in file order. */
        public Map<String, At> fields() throws FileFormatException {
            object();
            Map<String, At> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties())
                out.put(e.getKey(), child(e.getKey(), e.getValue()));
            return out;
        }

        /** Rejects fields other than {@code allowed}. */
        public At only(String... allowed) throws FileFormatException {
            for (String k : fields().keySet())
                if (!List.of(allowed).contains(k))
                    throw bad("unexpected field " + FileFormatException.quote(k));
            return this;
        }

        public List<At> elements(int maxLength) throws FileFormatException {
            if (!node.isArray()) throw bad("expected an array, found " + kind(node));
            if (node.size() > maxLength)
                throw bad(node.size() + " entries, at most " + maxLength + " expected");
            List<At> out = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++)
                out.add(new At(file, path + "[" + i + "]", node.get(i)));
            return out;
        }

        public String text() throws FileFormatException {
            if (!node.isTextual()) throw bad("expected a string, found " + kind(node));
            return node.textValue();
        }

        public boolean bool() throws FileFormatException {
            if (!node.isBoolean()) throw bad("expected true or false, found " + kind(node));
            return node.booleanValue();
        }

        public long longValue(long min, long max) throws FileFormatException {
            if (!node.isIntegralNumber() || !node.canConvertToLong())
                throw bad("expected an integer, found " + kind(node));
            long v = node.longValue();
            if (v < min || v > max) throw bad(v + " is outside " + min + ".." + max);
            return v;
        }

        public int intValue(int min, int max) throws FileFormatException {
            return (int) longValue(min, max);
        }

        /** A finite number in [min, max] (an integer literal is accepted). */
        public double number(double min, double max) throws FileFormatException {
            if (!node.isNumber()) throw bad("expected a number, found " + kind(node));
            double v = node.doubleValue();
            if (!Double.isFinite(v) || v < min || v > max)
                throw bad(v + " is outside " + min + ".." + max);
            return v;
        }

        public int[] ints(int maxLength, int min, int max) throws FileFormatException {
            List<At> es = elements(maxLength);
            int[] out = new int[es.size()];
            for (int i = 0; i < out.length; i++) out[i] = es.get(i).intValue(min, max);
            return out;
        }

        public long[] longs(int maxLength) throws FileFormatException {
            List<At> es = elements(maxLength);
            long[] out = new long[es.size()];
            for (int i = 0; i < out.length; i++)
                out[i] = es.get(i).longValue(Long.MIN_VALUE, Long.MAX_VALUE);
            return out;
        }

        /** Numbers in [min, max]; JSON null becomes NaN when {@code nullable}. */
        public double[] doubles(int maxLength, double min, double max, boolean nullable)
                throws FileFormatException {
            List<At> es = elements(maxLength);
            double[] out = new double[es.size()];
            for (int i = 0; i < out.length; i++) {
                At e = es.get(i);
                if (nullable && e.isNull()) out[i] = Double.NaN;
                else out[i] = e.number(min, max);
            }
            return out;
        }

        private static String kind(JsonNode n) {
            return switch (n.getNodeType()) {
                case ARRAY -> "an array";
                case OBJECT, POJO -> "an object";
                case STRING -> "a string";
                case NUMBER -> "the number " + FileFormatException.quote(n.asText());
                case BOOLEAN -> n.asText();
                case NULL -> "null";
                default -> n.getNodeType().toString().toLowerCase();
            };
        }
    }
}
