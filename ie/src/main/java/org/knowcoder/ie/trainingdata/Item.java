package org.knowcoder.ie.trainingdata;

import java.util.List;

/**
 * One training text, built on a worker thread, written in input order.
 *
 * @param task      the summary row it counts in (NER, RE, ED, EAE; definition, entity, relation, event)
 * @param jsonLine  its JSON line
 * @param ids       its token ids (BOS and EOS included), or null when no tokenizer is given
 * @param maskFrom  the first id that counts in the loss
 * @param types     the classes it teaches (gold classes; instantiated or defined concepts)
 * @param instances how many instances (or class definitions) it holds
 * @param bytes     UTF-8 bytes of its text (prompt and output for instructions)
 */
record Item(String task, String jsonLine, int[] ids, int maskFrom, List<String> types, int instances, long bytes) {}
