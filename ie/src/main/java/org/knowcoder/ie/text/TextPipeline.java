package org.knowcoder.ie.text;

import org.knowcoder.ie.Mention;
import org.knowcoder.ie.Relation;
import org.knowcoder.ie.Event;
import org.knowcoder.ie.constrain.ResultsGrammar;
import org.knowcoder.ie.eval.NameConsistency;
import org.knowcoder.ie.output.OutputParser;
import org.knowcoder.ie.output.PyValue;
import org.knowcoder.ie.prompt.Clauses;
import org.knowcoder.ie.prompt.Instruction;
import org.knowcoder.schema.Task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The one path from a user's text to what it holds, for the library and the command line: the
 * text is cut into chunks that fit the model's context with the prompt ({@link Chunker}), each
 * chunk is asked every planned task (NER, RE and ED at once, a long sentence's NER clause by
 * clause: {@link Clauses}; EAE once ED's triggers are known), the answers are parsed, the
 * library's class methods applied, the entities checked against the neighbouring sentences'
 * ({@link NameConsistency}), the spans placed ({@link Placement}) and the chunks merged in order
 * with offsets into the text. Asynchronous, so that the prompts of many
 * inputs and callers are decoded together.
 */
public final class TextPipeline {
    /** Tokens held back from a chunk's budget: the tokenizer may join a chunk's first token with the quote before it differently. */
    private static final int MARGIN = 8;

    private final TextModel model;
    private final Map<Task, TaskPlan> plans;
    private final Chunker chunker;
    private final int budget;
    private final boolean clauses;
    private final boolean consistency;

    /**
     * @param chunkTokens the most tokens of text one prompt carries, below what the context allows:
     *                    KnowCoder learned from single sentences, and a long chunk's answer may run
     *                    past the new-token limit
     * @param clauses     whether a long sentence's entities are asked clause by clause ({@link Clauses})
     * @param consistency whether each sentence's entities are checked against its neighbours' ({@link NameConsistency})
     */
    public TextPipeline(TextModel model, TypeSet types, Set<Task> tasks, int chunkTokens, boolean clauses, boolean consistency) {
        this.model = model;
        this.plans = TaskPlan.of(types, tasks);
        int fixed = 0;
        for (TaskPlan p : plans.values()) fixed = Math.max(fixed, model.tokens(p.query().prompt("")) + 1);
        int room = model.promptRoom();
        // a prompt that leaves text no room is cut in its middle by KnowCoder's head-and-tail rule, which keeps the text at its end
        this.budget = Math.max(1, Math.min(chunkTokens, Math.max(room - fixed - MARGIN, room / 4)));
        this.chunker = new Chunker(budget, model::tokens);
        this.clauses = clauses;
        this.consistency = consistency;
    }

    /** Tokens of text one prompt carries. */
    public int chunkBudget() {
        return budget;
    }

    /** The tasks that run. */
    public Set<Task> tasks() {
        return plans.keySet();
    }

    /**
     * Extracts from one input. With a {@code stream} (or null), the input's prompts run one after
     * another and the stream gets their code as it is written; without one they all go at once.
     */
    public CompletableFuture<TextResult> extract(String id, String text, Consumer<String> stream) {
        return extract(id, text, stream, model);
    }

    /**
     * As {@link #extract(String, String, Consumer)}, asking {@code asking} for the answers: this
     * pipeline's model as one caller sees it (a {@link CancellableModel}, say), with the same tokens and room.
     */
    public CompletableFuture<TextResult> extract(String id, String text, Consumer<String> stream, TextModel asking) {
        List<Chunk> chunks = chunker.chunks(text);
        List<CompletableFuture<ChunkResult>> parts = new ArrayList<>();
        CompletableFuture<?> previous = CompletableFuture.completedFuture(null);
        for (Chunk c : chunks) {
            CompletableFuture<ChunkResult> part = stream == null ? chunk(asking, text, c, null)
                    : previous.thenCompose(x -> chunk(asking, text, c, stream));
            parts.add(part);
            previous = part;
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
            List<ChunkResult> results = parts.stream().map(CompletableFuture::join).toList();
            place(results);
            List<Mention> entities = new ArrayList<>();
            List<Relation> relations = new ArrayList<>();
            List<Event> events = new ArrayList<>();
            List<TextResult.Generated> generated = new ArrayList<>();
            int sentences = 0;
            boolean truncated = false;
            for (ChunkResult r : results) {
                entities.addAll(r.placement.entities);
                relations.addAll(r.placement.relations);
                events.addAll(r.placement.events());
                generated.addAll(r.generated);
                sentences += r.chunk.sentences();
                truncated |= r.chunk.truncated();
            }
            return new TextResult(id, text, entities, relations, events, sentences, truncated, generated);
        });
    }

    /**
     * Places each chunk's entities (in the order of the text when checked), then its relations (whose spans take the
     * entities' types), once every chunk is answered: a chunk's entities are checked against the chunks
     * around it first.
     */
    private void place(List<ChunkResult> results) {
        TaskPlan ner = plans.get(Task.NER), re = plans.get(Task.RE);
        if (ner != null) {
            List<List<PyValue.Call>> entities = results.stream().map(r -> r.entities).toList();
            if (consistency) entities = NameConsistency.apply(results.stream().map(r -> r.placement.text).toList(), entities, ner.post().hierarchy());
            for (int i = 0; i < results.size(); i++) {
                Placement p = results.get(i).placement;
                p.entities(ner, entities.get(i));
                if (consistency) p.entities.sort(Comparator.comparingInt(Mention::start)); // the entities the check added come after the model's own
            }
        }
        if (re != null) for (ChunkResult r : results) r.placement.relations(re, r.relations);
    }

    /** One chunk through every task: NER, RE and ED asked together, ED's triggers placed, then EAE asked on them; entities and relations are placed by {@link #place}. */
    private CompletableFuture<ChunkResult> chunk(TextModel asking, String input, Chunk chunk, Consumer<String> stream) {
        PromptText prompted = PromptText.of(input, chunk.start(), chunk.end());
        String text = prompted.text;
        ChunkResult result = new ChunkResult(chunk, new Placement(input, prompted));
        // with a stream, each prompt waits for the one before, so that the stream reads in order
        CompletableFuture<?> previous = CompletableFuture.completedFuture(null);
        List<Task> order = List.of(Task.NER, Task.RE, Task.ED);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (Task t : order) {
            TaskPlan plan = plans.get(t);
            if (plan == null) {
                answers.add(null);
                continue;
            }
            List<CompletableFuture<String>> parts = new ArrayList<>();
            for (String part : Clauses.of(clauses, t, text)) {
                String prompt = plan.query().prompt(part);
                ResultsGrammar grammar = ResultsGrammar.of(plan.query().schema(), part);
                CompletableFuture<String> answer = stream == null ? asking.answer(plan.query(), prompt, grammar, null)
                        : previous.thenCompose(x -> asking.answer(plan.query(), prompt, grammar, stream));
                parts.add(answer);
                previous = answer;
            }
            answers.add(parts.size() == 1 ? parts.getFirst() : CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                    .thenApply(x -> Clauses.answer(parts.stream().map(CompletableFuture::join).toList())));
        }
        // all answered before any is read: a callback must never wait, as it may run on the thread that decodes
        CompletableFuture<Void> asked = CompletableFuture.allOf(answers.stream().filter(a -> a != null).toArray(CompletableFuture[]::new));
        return asked.thenCompose(x -> {
            for (int i = 0; i < order.size(); i++) {
                if (answers.get(i) == null) continue;
                Task t = order.get(i);
                List<PyValue.Call> calls = calls(t, text, chunk, answers.get(i).join(), result);
                switch (t) {
                    case NER -> result.entities = calls;
                    case RE -> result.relations = calls;
                    default -> result.triggers = result.placement.triggers(plans.get(t), calls);
                }
            }
            TaskPlan eae = plans.get(Task.EAE);
            if (eae == null || result.triggers.isEmpty()) return CompletableFuture.completedFuture(result);
            return asking.answer(eae.query(), eae.query().prompt(text, result.triggers), ResultsGrammar.of(eae.query().schema(), text), stream).thenApply(code -> {
                result.placement.arguments(eae, calls(Task.EAE, text, chunk, code, result));
                return result;
            });
        });
    }

    /** The complete instances of {@code code}, after the library's class methods; the code is kept for {@code --raw}. */
    private List<PyValue.Call> calls(Task task, String text, Chunk chunk, String code, ChunkResult result) {
        result.generated.add(new TextResult.Generated(task.name().toLowerCase(java.util.Locale.ROOT), chunk.start(), chunk.end(), code));
        return plans.get(task).post().apply(OutputParser.parse(code), text);
    }

    private static final class ChunkResult {
        final Chunk chunk;
        final Placement placement;
        final List<TextResult.Generated> generated = new ArrayList<>();
        /** The NER and RE instances, placed once every chunk is answered. */
        List<PyValue.Call> entities = List.of(), relations = List.of();
        List<Instruction.Trigger> triggers = List.of();

        ChunkResult(Chunk chunk, Placement placement) {
            this.chunk = chunk;
            this.placement = placement;
        }
    }
}
