package org.knowcoder.ie.text;

import org.knowcoder.ie.data.LabelMap;
import org.knowcoder.ie.eval.SchemaPostProcessing;
import org.knowcoder.ie.prompt.DatasetSchema;
import org.knowcoder.ie.prompt.Query;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.Task;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How one task runs on a user's types: the query (class definitions of the chosen types, from the
 * library), the labels (each class is its own label, so a class outside the choice is replaced by
 * its nearest chosen ancestor: superclass induction) and the library's class methods.
 */
public record TaskPlan(Task task, Query query, LabelMap labels, SchemaPostProcessing post) {

    /**
     * The tasks that run: those asked for, or (none asked for) every task the types allow: entity
     * types NER, relation types RE, event types ED then EAE. EAE always runs on the triggers ED found,
     * so asking for it runs ED too. A task whose kind has no chosen type is an error.
     */
    public static Set<Task> tasks(TypeSet types, Set<Task> asked) {
        Set<Task> tasks = EnumSet.noneOf(Task.class);
        if (asked.isEmpty()) {
            for (Task t : Task.values()) if (!types.of(t.kind()).isEmpty()) tasks.add(t);
            return tasks;
        }
        for (Task t : asked) {
            if (types.of(t.kind()).isEmpty()) {
                throw new BadInputException("--task " + t.name().toLowerCase(java.util.Locale.ROOT) + " needs " + t.kind().withArticle()
                        + " type, and none is chosen (chosen: " + chosen(types) + ")");
            }
            tasks.add(t);
        }
        if (tasks.contains(Task.EAE)) tasks.add(Task.ED);
        return tasks;
    }

    /** The plans of {@link #tasks}. */
    public static Map<Task, TaskPlan> of(TypeSet types, Set<Task> asked) {
        Set<Task> tasks = tasks(types, asked);
        Map<Task, TaskPlan> plans = new LinkedHashMap<>();
        for (Task t : tasks) {
            LabelMap labels = LabelMap.of(types.of(t.kind()).stream().collect(Collectors.toMap(Function.identity(), Function.identity())));
            Query query = new Query(DatasetSchema.of(t, labels, types.library()), null, List.of());
            plans.put(t, new TaskPlan(t, query, labels, new SchemaPostProcessing(types.library(), t)));
        }
        return plans;
    }

    private static String chosen(TypeSet types) {
        return types.selected().entrySet().stream().filter(e -> !e.getValue().isEmpty())
                .map(e -> e.getKey().jsonName() + " " + String.join(", ", e.getValue())).collect(Collectors.joining("; "));
    }
}
