/*
 * egovstudy._countcore: turn raw random words into bootstrap draws and count them.
 *
 * An optional accelerator for egovstudy/_draws.py (which has the pure NumPy path and
 * explains the contract). It applies the rule NumPy's Generator.integers uses for
 * 16-bit (and 32-bit) bounded draws -- Lemire's multiply-shift with rejection -- to
 * the generator's raw output read as a stream of 16-bit (32-bit) words:
 *
 *     m = word * units;  reject when (m mod 2^bits) < (2^bits mod units);
 *     otherwise the draw is m >> bits.
 *
 * so the counts equal NumPy's draws exactly (tested). One pass, no temporary
 * arrays, the GIL released: bootstrap batches on threads run in parallel.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* The loop for one word width (a macro so each width compiles to its own tight loop).
 * Each word gives at most one draw, so the inner loop takes at most as many words as
 * draws are missing in the row and needs one bound only (measured about 1.5x faster
 * than testing the row's end after every word). */
#define COUNT_LOOP(WORDS, BITS)                                                         \
    while (row < rows) {                                                                \
        double *r = counts + row * (Py_ssize_t)units;                                   \
        if (col == 0) {                                                                 \
            memset(r, 0, (size_t)units * sizeof(double));   /* a row starts at zero */  \
        }                                                                               \
        while (col < (Py_ssize_t)units && pos < length) {                               \
            const Py_ssize_t todo = (Py_ssize_t)units - col;                            \
            const Py_ssize_t end = pos + (todo < length - pos ? todo : length - pos);   \
            Py_ssize_t got = 0;                                                         \
            for (; pos < end; pos++) {                                                  \
                const uint64_t m = (uint64_t)WORDS[pos] * units;                        \
                if ((m & mask) >= threshold) {                                          \
                    r[m >> BITS] += 1.0;                                                \
                    got++;                                                              \
                }                                                                       \
            }                                                                           \
            col += got;                                                                 \
        }                                                                               \
        if (col < (Py_ssize_t)units) {                                                  \
            break;                  /* the words ran out: the caller fetches more */    \
        }                                                                               \
        col = 0;                                                                        \
        row++;                                                                          \
    }

static PyObject *
fill_counts(PyObject *self, PyObject *args)
{
    Py_buffer words, out;
    Py_ssize_t pos, rows, row, col;
    unsigned long units_arg, threshold_arg;
    int bits;

    if (!PyArg_ParseTuple(args, "y*nkkiw*nnn", &words, &pos, &units_arg, &threshold_arg,
                          &bits, &out, &rows, &row, &col)) {
        return NULL;
    }
    const uint64_t units = (uint64_t)units_arg;
    const uint64_t threshold = (uint64_t)threshold_arg;
    const Py_ssize_t width = bits == 16 ? 2 : (bits == 32 ? 4 : 0);
    if (width == 0 || units < 1 || units > ((uint64_t)1 << bits) - 1 || threshold >= units
        || rows < 0 || out.len != rows * (Py_ssize_t)units * (Py_ssize_t)sizeof(double)
        || pos < 0 || row < 0 || col < 0 || col >= (Py_ssize_t)units) {
        PyBuffer_Release(&words);
        PyBuffer_Release(&out);
        PyErr_SetString(PyExc_ValueError,
                        "fill_counts: inconsistent arguments (bits must be 16 or 32, "
                        "1 <= units < 2**bits, out must hold rows * units float64)");
        return NULL;
    }
    const Py_ssize_t length = words.len / width;
    const uint16_t *w16 = (const uint16_t *)words.buf;
    const uint32_t *w32 = (const uint32_t *)words.buf;
    double *counts = (double *)out.buf;
    const uint64_t mask = ((uint64_t)1 << bits) - 1;

    Py_BEGIN_ALLOW_THREADS
    if (bits == 16) {
        COUNT_LOOP(w16, 16);
    }
    else {
        COUNT_LOOP(w32, 32);
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&words);
    PyBuffer_Release(&out);
    return Py_BuildValue("nnn", pos, row, col);
}

#if defined(__SIZEOF_INT128__)
/*
 * pcg64_words: the raw output of NumPy's PCG64 (128-bit LCG, XSL-RR output; O'Neill
 * 2014, as in numpy/random/src/pcg64/pcg64.h), written straight into a buffer. Same
 * words as PCG64.random_raw, about twice as fast: random_raw calls the generator
 * through a function pointer per word. state holds (state lo, state hi, inc lo,
 * inc hi) and is advanced in place.
 */
static PyObject *
pcg64_words(PyObject *self, PyObject *args)
{
    Py_buffer st, out;

    if (!PyArg_ParseTuple(args, "w*w*", &st, &out)) {
        return NULL;
    }
    if (st.len != 4 * (Py_ssize_t)sizeof(uint64_t) || out.len % sizeof(uint64_t) != 0) {
        PyBuffer_Release(&st);
        PyBuffer_Release(&out);
        PyErr_SetString(PyExc_ValueError, "pcg64_words: state must hold 4 uint64, out "
                        "whole uint64 words");
        return NULL;
    }
    uint64_t *sv = (uint64_t *)st.buf;
    uint64_t *dst = (uint64_t *)out.buf;
    const Py_ssize_t count = out.len / (Py_ssize_t)sizeof(uint64_t);
    const unsigned __int128 mult =
        ((unsigned __int128)2549297995355413924ULL << 64) | 4865540595714422341ULL;
    unsigned __int128 state = ((unsigned __int128)sv[1] << 64) | sv[0];
    const unsigned __int128 inc = ((unsigned __int128)sv[3] << 64) | sv[2];

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        state = state * mult + inc;
        const uint64_t v = (uint64_t)(state >> 64) ^ (uint64_t)state;
        const unsigned rot = (unsigned)(state >> 122);
        dst[i] = (v >> rot) | (v << ((-rot) & 63u));
    }
    Py_END_ALLOW_THREADS

    sv[0] = (uint64_t)state;
    sv[1] = (uint64_t)(state >> 64);
    PyBuffer_Release(&st);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}
#endif

static PyMethodDef methods[] = {
    {"fill_counts", fill_counts, METH_VARARGS,
     "fill_counts(words, pos, units, threshold, bits, out, rows, row, col) -> (pos, row, col)\n\n"
     "Count the draws encoded by words[pos:] into out (rows x units float64), continuing\n"
     "at draw col of row (a row is zeroed when its first draw is due); stop when out is\n"
     "full or the words run out."},
#if defined(__SIZEOF_INT128__)
    {"pcg64_words", pcg64_words, METH_VARARGS,
     "pcg64_words(state, out) -> None\n\n"
     "Fill out (uint64) with the next raw words of NumPy's PCG64 whose state and\n"
     "increment are in state (4 uint64: state lo, hi, inc lo, hi), advanced in place."},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_countcore",
    "Compiled counting of bootstrap draws (optional; see egovstudy._draws).", -1, methods,
};

PyMODINIT_FUNC
PyInit__countcore(void)
{
    return PyModule_Create(&module);
}
