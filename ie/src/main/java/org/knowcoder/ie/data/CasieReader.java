package org.knowcoder.ie.data;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowcoder.ie.Argument;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * CASIE documents (one JSON file each): {@code content} and {@code cyberevent.hopper[].events[]}
 * with {@code subtype}, a {@code nugget} (the trigger) and {@code argument}s ({@code role.type}), all
 * with character offsets into the content. Offsets that miss their text (whole documents of CASIE are
 * shifted by one) are moved to the nearest occurrence of the text and reported as repaired. The
 * content is split into sentences, never inside an annotation; an event belongs to its trigger's
 * sentence, and an argument in another sentence is reported as unplaced.
 */
public final class CasieReader {
    private CasieReader() {}

    public static Split read(Path dir, String dataset, String split) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) throw new MalformedDataException(dir, 0, "no CASIE .json documents in this directory");
        List<Sample> samples = new ArrayList<>();
        List<String> unplaced = new ArrayList<>(), repaired = new ArrayList<>();
        for (Path file : files) {
            for (JsonRecords.Record r : JsonRecords.read(file)) new Document(file, r.line(), dataset, unplaced, repaired).read(r.node(), samples);
        }
        return new Split(dataset, split, samples, unplaced, repaired);
    }

    private record Located(String role, Mention span, String where) {}

    private record Document(Path file, long line, String dataset, List<String> unplaced, List<String> repaired) {

        void read(JsonNode doc, List<Sample> samples) throws MalformedDataException {
            JsonNode contentNode = doc.get("content");
            if (contentNode == null || !contentNode.isTextual()) throw new MalformedDataException(file, line, "expected a string \"content\"");
            String content = contentNode.textValue();
            List<String> types = new ArrayList<>();
            List<Located> triggers = new ArrayList<>();
            List<List<Located>> arguments = new ArrayList<>();
            BitSet noCut = new BitSet(content.length());
            JsonNode hoppers = doc.path("cyberevent").path("hopper");
            for (int h = 0; h < hoppers.size(); h++) {
                JsonNode events = hoppers.get(h).path("events");
                for (int e = 0; e < events.size(); e++) {
                    JsonNode ev = events.get(e);
                    String where = "hopper " + h + " event " + e;
                    Located trigger = locate(content, ev.get("nugget"), null, where + " trigger");
                    if (trigger == null) continue;
                    String type = ev.path("subtype").asText(ev.path("type").asText(""));
                    if (type.isEmpty()) throw new MalformedDataException(file, line, where + ": no subtype");
                    List<Located> args = new ArrayList<>();
                    JsonNode argNodes = ev.path("argument");
                    for (int a = 0; a < argNodes.size(); a++) {
                        JsonNode role = argNodes.get(a).path("role").path("type");
                        if (!role.isTextual()) throw new MalformedDataException(file, line, where + " argument " + a + ": no role.type");
                        Located arg = locate(content, argNodes.get(a), role.textValue(), where + " argument " + a);
                        if (arg != null) args.add(arg);
                    }
                    types.add(type);
                    triggers.add(trigger);
                    arguments.add(args);
                    for (Located l : args) noCut.set(l.span.start() + 1, l.span.end());
                    noCut.set(trigger.span.start() + 1, trigger.span.end());
                }
            }
            List<int[]> sentences = SentenceSplitter.split(content, noCut);
            List<List<Event>> eventsBySentence = new ArrayList<>();
            for (int i = 0; i < sentences.size(); i++) eventsBySentence.add(new ArrayList<>());
            for (int i = 0; i < triggers.size(); i++) {
                Located t = triggers.get(i);
                int s = sentenceOf(sentences, t.span);
                int[] b = sentences.get(s);
                List<Argument> args = new ArrayList<>();
                for (Located a : arguments.get(i)) {
                    if (a.span.start() >= b[0] && a.span.end() <= b[1]) args.add(new Argument(a.role, shifted(a.span, b[0])));
                    else unplaced.add(file.getFileName() + ": " + a.where + " \"" + a.span.text() + "\" (" + a.role + " of " + types.get(i)
                            + " \"" + t.span.text() + "\") lies outside its trigger's sentence");
                }
                eventsBySentence.get(s).add(new Event(types.get(i), shifted(t.span, b[0]), args));
            }
            String name = file.getFileName().toString().replaceFirst("\\.json$", "");
            for (int i = 0; i < sentences.size(); i++) {
                int[] b = sentences.get(i);
                samples.add(new Sample(dataset + "-" + name + "-" + i, dataset, content.substring(b[0], b[1]), List.of(), List.of(), eventsBySentence.get(i)));
            }
        }

        /** The span {@code node} gives ({@code startOffset}, {@code endOffset}, {@code text}), checked against the content. */
        private Located locate(String content, JsonNode node, String role, String where) throws MalformedDataException {
            if (node == null || !node.path("text").isTextual() || !node.path("startOffset").isIntegralNumber()) {
                throw new MalformedDataException(file, line, where + ": expected startOffset, endOffset and text");
            }
            String text = node.get("text").textValue();
            int start = node.get("startOffset").intValue();
            if (content.startsWith(text, Math.max(0, Math.min(start, content.length()))) && start >= 0 && !text.isEmpty()) {
                return new Located(role, new Mention(null, text, start, start + text.length()), where);
            }
            int best = nearest(content, text, start);
            if (best < 0) {
                unplaced.add(file.getFileName() + ": " + where + " \"" + text + "\" does not occur in the content");
                return null;
            }
            repaired.add(file.getFileName() + ": " + where + " \"" + text + "\" moved from offset " + start + " to " + best);
            return new Located(role, new Mention(null, text, best, best + text.length()), where);
        }

        private static int nearest(String content, String text, int near) {
            if (text.isEmpty()) return -1;
            int best = -1;
            for (int i = content.indexOf(text); i >= 0; i = content.indexOf(text, i + 1)) {
                if (best < 0 || Math.abs(i - near) < Math.abs(best - near)) best = i;
            }
            return best;
        }

        private static int sentenceOf(List<int[]> sentences, Mention m) {
            for (int i = 0; i < sentences.size(); i++) if (m.start() < sentences.get(i)[1]) return i;
            return sentences.size() - 1;
        }

        private static Mention shifted(Mention m, int by) {
            return new Mention(m.type(), m.text(), m.start() - by, m.end() - by);
        }
    }
}
