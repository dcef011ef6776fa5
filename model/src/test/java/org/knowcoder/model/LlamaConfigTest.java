package org.knowcoder.model;

import org.junit.jupiter.api.Test;

import org.knowcoder.io.BadInputException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A corrupt header's sizes reach the user through LlamaConfig's messages, so they must show the values given. */
class LlamaConfigTest {

    @Test
    void nonPositiveSizesAreListedAsGiven() {
        var e = assertThrows(BadInputException.class, () -> new LlamaConfig(-1, 176, 2, 8, 4, 512, 0, 1e-5f, 1e4f));
        assertEquals("every size must be positive, got dim -1, hidden_dim 176, n_layers 2, n_heads 8, n_kv_heads 4,"
                + " vocab_size 512, seq_len 0", e.getMessage());
    }
}
