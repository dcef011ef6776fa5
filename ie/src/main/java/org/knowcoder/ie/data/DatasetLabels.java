package org.knowcoder.ie.data;

import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A dataset's labels and the KnowCoder classes they map to, from the resource
 * {@code org/knowcoder/ie/labels/<dataset>.tsv}: lines {@code kind<TAB>label<TAB>class}, kind being
 * entity (NER), relation (RE), event (ED and EAE) or role (EAE: role to argument name); '#' starts a
 * comment. Each class stands for one label of its kind, so predictions map back without ambiguity.
 */
public final class DatasetLabels {
    private static final Set<String> KINDS = Set.of("entity", "relation", "event", "role");

    private DatasetLabels() {}

    /** The label map of each task the dataset has labels for. */
    public static Map<Task, LabelMap> load(String dataset) {
        String resource = "labels/" + dataset + ".tsv";
        try (InputStream in = DatasetLabels.class.getResourceAsStream("/org/knowcoder/ie/" + resource)) {
            if (in == null) throw new BadInputException("no label mapping for dataset " + dataset);
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<Task, LabelMap> parse(BufferedReader in, String name) throws IOException {
        Map<String, Map<String, String>> byKind = new HashMap<>();
        String line;
        for (int n = 1; (line = in.readLine()) != null; n++) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            if (f.length != 3 || !KINDS.contains(f[0])) {
                throw new IllegalArgumentException(name + ":" + n + ": expected kind<TAB>label<TAB>class, kind one of entity, relation, event, role");
            }
            String previous = byKind.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[2], f[1]);
            if (previous != null) throw new IllegalArgumentException(name + ":" + n + ": class " + f[2] + " already stands for " + previous);
        }
        Map<Task, LabelMap> out = new EnumMap<>(Task.class);
        Map<String, String> roles = byKind.getOrDefault("role", Map.of());
        if (byKind.containsKey("entity")) out.put(Task.NER, LabelMap.of(byKind.get("entity")));
        if (byKind.containsKey("relation")) out.put(Task.RE, LabelMap.of(byKind.get("relation")));
        if (byKind.containsKey("event")) {
            out.put(Task.ED, LabelMap.of(byKind.get("event")));
            out.put(Task.EAE, new LabelMap(byKind.get("event"), roles));
        }
        return out;
    }
}
