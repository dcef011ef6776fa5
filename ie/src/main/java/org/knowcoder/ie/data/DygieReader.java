package org.knowcoder.ie.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Sample;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DyGIE JSON lines (SciERC, ACE): one document per line with {@code sentences} (token lists) and,
 * per sentence, {@code ner} [start, end, type], {@code relations} [s1, e1, s2, e2, type] and
 * {@code events} [[trigger, type], [start, end, role]...]; token indices count from the document's
 * start and ends are inclusive. Each sentence becomes a sample; an annotation that reaches outside
 * its sentence is reported as unplaced.
 */
public final class DygieReader {
    private DygieReader() {}

    public static Split read(Path file, String dataset, String split) throws IOException {
        List<Sample> samples = new ArrayList<>();
        List<String> unplaced = new ArrayList<>();
        for (JsonRecords.Record r : JsonRecords.read(file)) {
            new Document(file, r, dataset, split, samples, unplaced).read();
        }
        return new Split(dataset, split, samples, unplaced, List.of());
    }

    /** One document's sentences, appended to the shared lists. */
    private record Document(Path file, JsonRecords.Record record, String dataset, String split, List<Sample> samples, List<String> unplaced) {

        void read() throws MalformedDataException {
            long line = record.line();
            JsonNode sentences = JsonRecords.array(record.node(), "sentences", file, line);
            int first = 0;
            for (int s = 0; s < sentences.size(); s++) {
                List<String> tokens = JsonRecords.strings(sentences.get(s), file, line);
                Sentence sentence = new Sentence(new TokenText(tokens), first, s);
                List<Mention> entities = new ArrayList<>();
                Map<Long, Mention> bySpan = new HashMap<>();
                for (JsonNode n : perSentence("ner", s)) {
                    Mention m = sentence.mention(tuple(n, 3), 0, n.get(2).asText());
                    if (m == null) continue;
                    entities.add(m);
                    bySpan.put(key(m), m);
                }
                List<Relation> relations = new ArrayList<>();
                for (JsonNode n : perSentence("relations", s)) {
                    Mention head = sentence.mention(tuple(n, 5), 0, null), tail = sentence.mention(n, 2, null);
                    if (head == null || tail == null) continue;
                    relations.add(new Relation(n.get(4).asText(), bySpan.getOrDefault(key(head), head), bySpan.getOrDefault(key(tail), tail)));
                }
                List<Event> events = new ArrayList<>();
                for (JsonNode n : perSentence("events", s)) {
                    Event e = sentence.event(n);
                    if (e != null) events.add(e);
                }
                samples.add(new Sample(dataset + "-" + split + "-" + samples.size(), dataset, sentence.text.text, entities, relations, events));
                first += tokens.size();
            }
        }

        /** The sentence's list under {@code field} (absent: none). */
        private JsonNode perSentence(String field, int sentence) throws MalformedDataException {
            JsonNode all = record.node().get(field);
            if (all == null) return MissingNode.getInstance();
            if (!all.isArray() || !all.path(sentence).isArray()) {
                throw new MalformedDataException(file, record.line(), "\"" + field + "\" has no list for sentence " + sentence);
            }
            return all.get(sentence);
        }

        /** {@code n} checked to be an array of {@code size} items whose leading ones are token indices. */
        private JsonNode tuple(JsonNode n, int size) throws MalformedDataException {
            boolean ok = n.isArray() && n.size() == size;
            for (int i = 0; ok && i < size - 1; i++) ok = n.get(i).isIntegralNumber();
            if (!ok) throw new MalformedDataException(file, record.line(), "expected " + (size - 1) + " token indices and a label, got " + n);
            return n;
        }

        private static long key(Mention m) {
            return (long) m.start() << 32 | m.end();
        }

        /** A sentence's text and where its tokens start in the document. */
        private final class Sentence {
            final TokenText text;
            final int first, index;

            Sentence(TokenText text, int first, int index) {
                this.text = text;
                this.first = first;
                this.index = index;
            }

            /** The mention of document tokens n[at]..n[at + 1] (inclusive), or null (reported) when outside this sentence. */
            Mention mention(JsonNode n, int at, String type) {
                int s = n.get(at).asInt() - first, e = n.get(at + 1).asInt() - first + 1;
                if (s < 0 || e <= s || e > text.size()) {
                    unplaced.add(file.getFileName() + ":" + record.line() + ": " + n + " lies outside sentence " + index + " (tokens "
                            + first + ".." + (first + text.size() - 1) + ")");
                    return null;
                }
                return text.mention(type, s, e);
            }

            /** An event [[trigger, type], [start, end, role]...]; arguments outside the sentence are reported. */
            Event event(JsonNode n) throws MalformedDataException {
                JsonNode head = n.path(0);
                if (!head.isArray() || head.size() != 2 || !head.get(0).isIntegralNumber()) {
                    throw new MalformedDataException(file, record.line(), "expected an event [[trigger, type], [start, end, role]...], got " + n);
                }
                JsonNode trigger = JsonNodeFactory.instance.arrayNode().add(head.get(0)).add(head.get(0));
                Mention t = mention(trigger, 0, null);
                if (t == null) return null;
                List<Argument> args = new ArrayList<>();
                for (int i = 1; i < n.size(); i++) {
                    Mention a = mention(tuple(n.get(i), 3), 0, null);
                    if (a != null) args.add(new Argument(n.get(i).get(2).asText(), a));
                }
                return new Event(head.get(1).asText(), t, args);
            }
        }
    }
}
