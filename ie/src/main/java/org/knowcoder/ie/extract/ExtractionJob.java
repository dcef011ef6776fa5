package org.knowcoder.ie.extract;

import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.prompt.Query;
import org.knowcoder.schema.Task;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The sentences of one dataset to run one task on, the query that frames them and the labels that score them. */
public record ExtractionJob(String dataset, Task task, List<Sample> samples, Query query, LabelMap labels) {
    public ExtractionJob {
        samples = List.copyOf(samples);
    }

    /**
     * For stderr: the classes of this job that the schema library lacks and its prompts define bare
     * (see {@link org.knowcoder.ie.prompt.DatasetSchema}), with the labels they stand for and how to
     * describe them; empty when the library has them all, or when there is no library.
     */
    public Optional<String> undefinedClassesWarning() {
        List<String> undefined = query.schema().undefined();
        if (undefined.isEmpty()) return Optional.empty();
        String them = undefined.size() == 1 ? "it" : "them";
        return Optional.of("warning: the schema library has no " + task.kind().jsonName() + " class "
                + undefined.stream().map(c -> c + " (" + dataset + " label " + labels.classToLabel().get(c) + ")").collect(Collectors.joining(", "))
                + "; the " + task + " prompts define " + them + " bare, as without --schema. To describe " + them + ", write "
                + them + " in a .py file (class " + undefined.getFirst() + "(" + task.kind().baseClass() + "): ...) and import that"
                + " with the library's other files (schema import)");
    }
}
