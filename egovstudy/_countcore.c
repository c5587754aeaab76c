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
 *
 * batch_moments does whole batches of the moments path (draws, counts and the
 * products with the moments by BLAS) in one call; chol_solve solves the normal
 * equations of every resample (their NumPy paths: egovstudy/bootstrap.py, which
 * counts chunk by chunk and multiplies with NumPy, and egovstudy/mediation.py).
 */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
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
static inline uint64_t
pcg64_output(unsigned __int128 s)
{
    const uint64_t v = (uint64_t)(s >> 64) ^ (uint64_t)s;
    const unsigned rot = (unsigned)(s >> 122);
    return (v >> rot) | (v << ((-rot) & 63u));
}

/* NumPy's PCG64 (128-bit LCG, XSL-RR output; O'Neill 2014, as in
 * numpy/random/src/pcg64/pcg64.h) for count words, state advanced in place.
 *
 * The LCG is a chain of dependent 128-bit multiplications, so one step waits for the
 * last. Four interleaved chains, each jumping four steps at a time (s_{i+4} = s_i * a + c
 * with a = mult^4 and c = inc * (1 + mult + mult^2 + mult^3), all mod 2^128), give the
 * same words in the same order with four multiplications in flight: measured 2.4 ms
 * against 1.6 ms for 1.25 million words. */
static void
pcg64_fill(unsigned __int128 *state, unsigned __int128 inc, uint64_t *dst, Py_ssize_t count)
{
    const unsigned __int128 mult =
        ((unsigned __int128)2549297995355413924ULL << 64) | 4865540595714422341ULL;
    unsigned __int128 s = *state;
    Py_ssize_t i = 0;
    if (count >= 8) {
        const unsigned __int128 m2 = mult * mult;
        const unsigned __int128 jump_mult = m2 * m2;
        const unsigned __int128 jump_inc = inc * (1 + mult) * (1 + m2);
        unsigned __int128 a = s * mult + inc, b = a * mult + inc, c = b * mult + inc,
                          d = c * mult + inc;
        for (;;) {
            dst[i] = pcg64_output(a);
            dst[i + 1] = pcg64_output(b);
            dst[i + 2] = pcg64_output(c);
            dst[i + 3] = pcg64_output(d);
            i += 4;
            if (i + 4 > count) {
                break;
            }
            a = a * jump_mult + jump_inc;
            b = b * jump_mult + jump_inc;
            c = c * jump_mult + jump_inc;
            d = d * jump_mult + jump_inc;
        }
        s = d;
    }
    for (; i < count; i++) {
        s = s * mult + inc;
        dst[i] = pcg64_output(s);
    }
    *state = s;
}

/*
 * pcg64_words: the raw output of NumPy's PCG64 written straight into a buffer. Same
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
    unsigned __int128 state = ((unsigned __int128)sv[1] << 64) | sv[0];
    const unsigned __int128 inc = ((unsigned __int128)sv[3] << 64) | sv[2];

    Py_BEGIN_ALLOW_THREADS
    pcg64_fill(&state, inc, dst, count);
    Py_END_ALLOW_THREADS

    sv[0] = (uint64_t)state;
    sv[1] = (uint64_t)(state >> 64);
    PyBuffer_Release(&st);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

/* The Fortran BLAS dgemm, as exported by scipy.linalg.cython_blas (LP64 ints). */
typedef void (*dgemm_fn)(char *, char *, int *, int *, int *, double *, double *, int *,
                         double *, int *, double *, double *, int *);

/* Raw words generated per refill of batch_moments (32 kB: stays in L1). */
#define BATCH_WORDS 4096

/*
 * batch_moments: whole bootstrap batches in one call with the GIL released -- raw
 * words, counts and the products counts @ moments -- so that batches on threads do
 * not wait for each other (nor for the calling thread) at every chunk: with one call
 * per chunk of 65 rows and one product per 38 rows, two threads spent their time
 * handing the GIL over and ran no faster than one. Batch i draws sizes[i] resamples
 * from the PCG64 state in row i of states (advanced in place), and its rows follow
 * those of batch i - 1 in out. The draws are those of fill_counts on the words of
 * pcg64_words: the same stream, consumed in the same order, so the counts are the
 * same. Counts are made chunk_rows rows at a time in a buffer that stays in cache,
 * and multiplied gemm_rows rows at a time by the BLAS dgemm passed as a capsule
 * (SciPy's cython_blas), so the products are BLAS's own.
 *
 * With claim (one int64, shared by the threads of one bootstrap), claimed (b intp) and
 * limit, a call takes batches one by one from the shared counter instead of doing all
 * of them: at most limit batches, their numbers written to claimed in order. Threads
 * that claim their batches end together even when one of them shares its core with
 * other work (with the batches split in two fixed halves beforehand, one thread of a
 * PROCESS run ended 1.1-1.9 ms after the other). With done (b bytes), the flag of each
 * batch is set (a release store) once its rows are written, so that a thread with
 * nothing left to draw can take up the statistic of other threads' finished batches
 * (batches_done). Returns the number of batches done.
 */
static PyObject *
batch_moments(PyObject *self, PyObject *args)
{
    Py_buffer st, sz, mom, out, claim = {0}, claimed = {0}, done_buf = {0};
    unsigned long units_arg, threshold_arg;
    int bits;
    PyObject *capsule, *claim_obj = Py_None, *claimed_obj = Py_None, *done_obj = Py_None;
    PyObject *result = NULL;
    Py_ssize_t chunk_rows, gemm_rows, limit = 0, done_batches = 0;
    double *buf = NULL;
    uint64_t *raw = NULL;
    Py_ssize_t *first = NULL;

    if (!PyArg_ParseTuple(args, "w*y*kkiy*w*Onn|OOnO", &st, &sz, &units_arg, &threshold_arg,
                          &bits, &mom, &out, &capsule, &chunk_rows, &gemm_rows, &claim_obj,
                          &claimed_obj, &limit, &done_obj)) {
        return NULL;
    }
    const int claiming = claim_obj != Py_None;
    if (claiming && (PyObject_GetBuffer(claim_obj, &claim, PyBUF_WRITABLE) < 0
                     || PyObject_GetBuffer(claimed_obj, &claimed, PyBUF_WRITABLE) < 0)) {
        goto done;
    }
    if (done_obj != Py_None && PyObject_GetBuffer(done_obj, &done_buf, PyBUF_WRITABLE) < 0) {
        goto done;
    }
    const uint64_t units = (uint64_t)units_arg;
    const uint64_t threshold = (uint64_t)threshold_arg;
    const Py_ssize_t width = bits == 16 ? 2 : (bits == 32 ? 4 : 0);
    const Py_ssize_t per_row = units > 0 ? mom.len / (Py_ssize_t)(units * sizeof(double)) : 0;
    const Py_ssize_t n_batches = sz.len / (Py_ssize_t)sizeof(Py_ssize_t);
    const Py_ssize_t *sizes = (const Py_ssize_t *)sz.buf;
    const char *cap_name = PyCapsule_CheckExact(capsule) ? PyCapsule_GetName(capsule) : NULL;
    dgemm_fn dgemm = cap_name != NULL ? (dgemm_fn)PyCapsule_GetPointer(capsule, cap_name)
                                      : NULL;
    Py_ssize_t total = 0, largest = 0;
    int ok = sz.len == n_batches * (Py_ssize_t)sizeof(Py_ssize_t) && n_batches >= 1;
    for (Py_ssize_t i = 0; ok && i < n_batches; i++) {
        ok = sizes[i] >= 1;
        total += sizes[i];
        largest = sizes[i] > largest ? sizes[i] : largest;
    }
    if (!ok || width == 0 || units < 1 || units > ((uint64_t)1 << bits) - 1
        || threshold >= units || per_row < 1 || per_row > INT32_MAX || units > INT32_MAX
        || mom.len != per_row * (Py_ssize_t)(units * sizeof(double))
        || out.len != total * per_row * (Py_ssize_t)sizeof(double)
        || st.len != 4 * n_batches * (Py_ssize_t)sizeof(uint64_t) || dgemm == NULL
        || chunk_rows < 1 || gemm_rows < 1 || gemm_rows > INT32_MAX
        || (claiming && (claim.len != (Py_ssize_t)sizeof(int64_t)
                         || claimed.len != n_batches * (Py_ssize_t)sizeof(Py_ssize_t)
                         || limit < 1))
        || (done_buf.obj != NULL && done_buf.len != n_batches)) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError,
                        "batch_moments: inconsistent arguments (states b x 4 uint64, b "
                        "positive intp sizes, bits 16 or 32, 1 <= units < 2**bits, moments "
                        "units x k float64, out sum(sizes) x k float64, a dgemm capsule, "
                        "positive chunk sizes; to claim batches: one int64 counter, b intp "
                        "and a positive limit; b bytes for the batches done)");
        goto done;
    }
    if (chunk_rows > largest) {
        chunk_rows = largest;
    }
    buf = (double *)malloc((size_t)chunk_rows * (size_t)units * sizeof(double));
    raw = (uint64_t *)malloc(BATCH_WORDS * sizeof(uint64_t));
    first = (Py_ssize_t *)malloc((size_t)n_batches * sizeof(Py_ssize_t));
    if (buf == NULL || raw == NULL || first == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    uint64_t *sv_all = (uint64_t *)st.buf;
    const uint16_t *w16 = (const uint16_t *)raw;
    const uint32_t *w32 = (const uint32_t *)raw;
    const Py_ssize_t length_full = BATCH_WORDS * (Py_ssize_t)sizeof(uint64_t) / width;
    const uint64_t mask = ((uint64_t)1 << bits) - 1;
    double *moments = (double *)mom.buf;
    int64_t *next = claiming ? (int64_t *)claim.buf : NULL;
    unsigned char *finished = done_buf.obj != NULL ? (unsigned char *)done_buf.buf : NULL;
    Py_ssize_t *mine = claiming ? (Py_ssize_t *)claimed.buf : NULL;
    first[0] = 0;
    for (Py_ssize_t i = 1; i < n_batches; i++) {
        first[i] = first[i - 1] + sizes[i - 1];
    }
    int k_dim = (int)per_row, inner = (int)units, ld_inner = (int)units, ld_k = (int)per_row;
    double one = 1.0, zero = 0.0;
    char no = 'N';

    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t step = 0; claiming ? step < limit : step < n_batches; step++) {
        /* claimed: the next batch no thread has taken (relaxed order is enough: each
         * batch writes its own rows and state, read after the threads are joined) */
        const Py_ssize_t b = claiming ? (Py_ssize_t)__atomic_fetch_add(next, 1,
                                                                          __ATOMIC_RELAXED)
                                      : step;
        if (b >= n_batches) {
            break;
        }
        if (claiming) {
            mine[done_batches] = b;
        }
        done_batches++;
        uint64_t *sv = sv_all + 4 * b;
        double *dest = (double *)out.buf + first[b] * per_row;
        unsigned __int128 state = ((unsigned __int128)sv[1] << 64) | sv[0];
        const unsigned __int128 inc = ((unsigned __int128)sv[3] << 64) | sv[2];
        const Py_ssize_t size = sizes[b];
        Py_ssize_t pos = 0, length = 0;          /* a batch starts with no words */
        for (Py_ssize_t start = 0; start < size; start += chunk_rows) {
            const Py_ssize_t rows = chunk_rows < size - start ? chunk_rows : size - start;
            double *counts = buf;
            Py_ssize_t row = 0, col = 0;
            while (row < rows) {
                if (pos >= length) {
                    pcg64_fill(&state, inc, raw, BATCH_WORDS);
                    pos = 0;
                    length = length_full;
                }
                if (bits == 16) {
                    COUNT_LOOP(w16, 16);
                }
                else {
                    COUNT_LOOP(w32, 32);
                }
            }
            /* dest[start + r, :] = counts[r, :] @ moments, as column-major BLAS sees
             * it: (k x rows) = (k x units) (units x rows) */
            for (Py_ssize_t r = 0; r < rows; r += gemm_rows) {
                int n_rows = (int)(gemm_rows < rows - r ? gemm_rows : rows - r);
                dgemm(&no, &no, &k_dim, &n_rows, &inner, &one, moments, &ld_k,
                      buf + r * (Py_ssize_t)units, &ld_inner, &zero,
                      dest + (start + r) * per_row, &ld_k);
            }
        }
        sv[0] = (uint64_t)state;
        sv[1] = (uint64_t)(state >> 64);
        if (finished != NULL) {     /* its rows are written: published for batches_done */
            __atomic_store_n(finished + b, (unsigned char)1, __ATOMIC_RELEASE);
        }
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(done_batches);

done:                               /* one exit: every buffer released, once */
    free(buf);
    free(raw);
    free(first);
    PyBuffer_Release(&st);
    PyBuffer_Release(&sz);
    PyBuffer_Release(&mom);
    PyBuffer_Release(&out);
    if (claim.obj != NULL) {
        PyBuffer_Release(&claim);
    }
    if (claimed.obj != NULL) {
        PyBuffer_Release(&claimed);
    }
    if (done_buf.obj != NULL) {
        PyBuffer_Release(&done_buf);
    }
    return result;
}
#endif

/* Largest number of predictors of one equation solved by chol_solve (stack arrays). */
#define CHOL_MAX 48

/* Resamples solved side by side by chol_lanes, and the most predictors it takes. */
#define CHOL_LANES 8
#define CHOL_LANES_MAX_P 12

/*
 * chol_lanes: chol_solve's factorization for resamples r0 .. r0 + CHOL_LANES - 1 at
 * once, every operation done for each lane in turn. A lane's arithmetic is the
 * one-resample loop's (same operations, same order), so the numbers are the same;
 * but where one resample waits for each square root and division before the next
 * can start, eight independent chains keep the processor busy (measured 0.5 ms
 * against 0.12 ms for the two equations of 2,500 resamples of model 4; 0.14 ms with
 * four lanes).
 */
static void
chol_lanes(const double *F, Py_ssize_t T, Py_ssize_t r0, Py_ssize_t p,
           const Py_ssize_t *gpos, const Py_ssize_t *hpos, double *B, unsigned char *S)
{
    double L[CHOL_LANES_MAX_P * CHOL_LANES_MAX_P][CHOL_LANES];
    double z[CHOL_LANES_MAX_P][CHOL_LANES], inv[CHOL_LANES_MAX_P][CHOL_LANES];
    double bt[CHOL_LANES_MAX_P][CHOL_LANES];
    double d[CHOL_LANES], gjj[CHOL_LANES], v[CHOL_LANES];
    const double *f[CHOL_LANES];
    unsigned char singular[CHOL_LANES];
    for (int l = 0; l < CHOL_LANES; l++) {
        f[l] = F + (r0 + l) * T;
        singular[l] = 0;
    }
    for (Py_ssize_t j = 0; j < p; j++) {
        for (int l = 0; l < CHOL_LANES; l++) {
            gjj[l] = f[l][gpos[j * p + j]];
            d[l] = gjj[l];
        }
        for (Py_ssize_t k = 0; k < j; k++) {
            for (int l = 0; l < CHOL_LANES; l++) {
                d[l] -= L[j * p + k][l] * L[j * p + k][l];
            }
        }
        for (int l = 0; l < CHOL_LANES; l++) {
            if (!(d[l] > 1e-12 * gjj[l])) {
                singular[l] = 1;
            }
            inv[j][l] = d[l] > 0 ? 1.0 / sqrt(d[l]) : NAN;
        }
        for (Py_ssize_t i = j + 1; i < p; i++) {
            for (int l = 0; l < CHOL_LANES; l++) {
                v[l] = f[l][gpos[i * p + j]];
            }
            for (Py_ssize_t k = 0; k < j; k++) {
                for (int l = 0; l < CHOL_LANES; l++) {
                    v[l] -= L[i * p + k][l] * L[j * p + k][l];
                }
            }
            for (int l = 0; l < CHOL_LANES; l++) {
                L[i * p + j][l] = v[l] * inv[j][l];
            }
        }
    }
    for (Py_ssize_t i = 0; i < p; i++) {
        for (int l = 0; l < CHOL_LANES; l++) {
            v[l] = f[l][hpos[i]];
        }
        for (Py_ssize_t k = 0; k < i; k++) {
            for (int l = 0; l < CHOL_LANES; l++) {
                v[l] -= L[i * p + k][l] * z[k][l];
            }
        }
        for (int l = 0; l < CHOL_LANES; l++) {
            z[i][l] = v[l] * inv[i][l];
        }
    }
    for (Py_ssize_t i = p - 1; i >= 0; i--) {
        for (int l = 0; l < CHOL_LANES; l++) {
            v[l] = z[i][l];
        }
        for (Py_ssize_t k = i + 1; k < p; k++) {
            for (int l = 0; l < CHOL_LANES; l++) {
                v[l] -= L[k * p + i][l] * bt[k][l];
            }
        }
        for (int l = 0; l < CHOL_LANES; l++) {
            bt[i][l] = v[l] * inv[i][l];
        }
    }
    for (int l = 0; l < CHOL_LANES; l++) {
        double *out = B + (r0 + l) * p;
        for (Py_ssize_t i = 0; i < p; i++) {
            out[i] = bt[i][l];
        }
        S[r0 + l] = singular[l];
    }
}

/*
 * chol_solve: the normal equations of every resample of a bootstrap, from their
 * cross-products, by a Cholesky factorization -- the factorization and the rule for a
 * singular resample of egovstudy.mediation._chol_solve (the NumPy path), in C with the
 * GIL released, multiplying by the reciprocal of each pivot; eight resamples side by
 * side (chol_lanes) for up to 12 predictors, else one at a time. flat (b x T) holds
 * the upper-triangle cross-products of each resample; tri (q x q) the column of flat holding the product of design columns i
 * and j; idx (p) the predictors' design columns and out_col the outcome's. Writes
 * beta (b x p) and singular (b, uint8): a pivot below 1e-12 of its diagonal entry
 * marks the resample singular and its coefficients NaN. Written here because the
 * vectorized NumPy path spends its time in p^2 small array operations (about 2 ms a
 * call for 5,000 resamples of a 5-predictor equation) that this does in about 0.2 ms.
 */
static PyObject *
chol_solve(PyObject *self, PyObject *args)
{
    Py_buffer flat, tri, idx, beta, sing;
    Py_ssize_t q, out_col;

    if (!PyArg_ParseTuple(args, "y*y*ny*nw*w*", &flat, &tri, &q, &idx, &out_col, &beta,
                          &sing)) {
        return NULL;
    }
    const Py_ssize_t p = idx.len / (Py_ssize_t)sizeof(Py_ssize_t);
    const Py_ssize_t b = sing.len;
    const Py_ssize_t T = b > 0 ? flat.len / (b * (Py_ssize_t)sizeof(double)) : 0;
    const Py_ssize_t *tr = (const Py_ssize_t *)tri.buf;
    const Py_ssize_t *ix = (const Py_ssize_t *)idx.buf;
    int ok = p >= 1 && p <= CHOL_MAX && q >= 1 && b >= 1
             && idx.len == p * (Py_ssize_t)sizeof(Py_ssize_t)
             && tri.len == q * q * (Py_ssize_t)sizeof(Py_ssize_t)
             && flat.len == b * T * (Py_ssize_t)sizeof(double)
             && beta.len == b * p * (Py_ssize_t)sizeof(double)
             && out_col >= 0 && out_col < q;
    for (Py_ssize_t i = 0; ok && i < p; i++) {
        ok = ix[i] >= 0 && ix[i] < q;
    }
    for (Py_ssize_t i = 0; ok && i < q * q; i++) {
        ok = tr[i] >= 0 && tr[i] < T;
    }
    if (!ok) {
        PyBuffer_Release(&flat);
        PyBuffer_Release(&tri);
        PyBuffer_Release(&idx);
        PyBuffer_Release(&beta);
        PyBuffer_Release(&sing);
        PyErr_SetString(PyExc_ValueError,
                        "chol_solve: inconsistent arguments (flat b x T float64, tri q x q "
                        "intp below T, 1 <= p <= 48 predictors below q, beta b x p float64, "
                        "singular b bytes)");
        return NULL;
    }
    const double *F = (const double *)flat.buf;
    double *B = (double *)beta.buf;
    unsigned char *S = (unsigned char *)sing.buf;
    Py_ssize_t gpos[CHOL_MAX * CHOL_MAX], hpos[CHOL_MAX];
    for (Py_ssize_t i = 0; i < p; i++) {
        for (Py_ssize_t j = 0; j < p; j++) {
            gpos[i * p + j] = tr[ix[i] * q + ix[j]];
        }
        hpos[i] = tr[ix[i] * q + out_col];
    }

    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t r = 0;
    if (p <= CHOL_LANES_MAX_P) {
        for (; r + CHOL_LANES <= b; r += CHOL_LANES) {
            chol_lanes(F, T, r, p, gpos, hpos, B, S);
        }
    }
    /* inv holds 1 / L[j][j]: one division per pivot instead of one per entry (the
     * divisions, each waiting for the last, were most of the time) */
    double L[CHOL_MAX * CHOL_MAX], z[CHOL_MAX], inv[CHOL_MAX];
    for (; r < b; r++) {
        const double *f = F + r * T;
        double *bt = B + r * p;
        unsigned char singular = 0;
        for (Py_ssize_t j = 0; j < p; j++) {
            const double gjj = f[gpos[j * p + j]];
            double d = gjj;
            for (Py_ssize_t k = 0; k < j; k++) {
                d -= L[j * p + k] * L[j * p + k];
            }
            if (!(d > 1e-12 * gjj)) {
                singular = 1;
            }
            inv[j] = d > 0 ? 1.0 / sqrt(d) : NAN;
            for (Py_ssize_t i = j + 1; i < p; i++) {
                double v = f[gpos[i * p + j]];
                for (Py_ssize_t k = 0; k < j; k++) {
                    v -= L[i * p + k] * L[j * p + k];
                }
                L[i * p + j] = v * inv[j];
            }
        }
        for (Py_ssize_t i = 0; i < p; i++) {
            double v = f[hpos[i]];
            for (Py_ssize_t k = 0; k < i; k++) {
                v -= L[i * p + k] * z[k];
            }
            z[i] = v * inv[i];
        }
        for (Py_ssize_t i = p - 1; i >= 0; i--) {
            double v = z[i];
            for (Py_ssize_t k = i + 1; k < p; k++) {
                v -= L[k * p + i] * bt[k];
            }
            bt[i] = v * inv[i];
        }
        S[r] = singular;
    }
    Py_END_ALLOW_THREADS

    PyBuffer_Release(&flat);
    PyBuffer_Release(&tri);
    PyBuffer_Release(&idx);
    PyBuffer_Release(&beta);
    PyBuffer_Release(&sing);
    Py_RETURN_NONE;
}

#if defined(__SIZEOF_INT128__)
/*
 * batches_done: the numbers of the batches whose flag batch_moments has set in done
 * (b bytes), read with acquire loads: their rows of out are then complete for the
 * reading thread, whichever thread wrote them.
 */
static PyObject *
batches_done(PyObject *self, PyObject *args)
{
    Py_buffer done_buf;

    if (!PyArg_ParseTuple(args, "w*", &done_buf)) {
        return NULL;
    }
    PyObject *list = PyList_New(0);
    const unsigned char *flags = (const unsigned char *)done_buf.buf;
    for (Py_ssize_t b = 0; list != NULL && b < done_buf.len; b++) {
        if (__atomic_load_n(flags + b, __ATOMIC_ACQUIRE)) {
            PyObject *num = PyLong_FromSsize_t(b);
            if (num == NULL || PyList_Append(list, num) < 0) {
                Py_XDECREF(num);
                Py_CLEAR(list);
                break;
            }
            Py_DECREF(num);
        }
    }
    PyBuffer_Release(&done_buf);
    return list;
}
#endif

/*
 * leave_cpu: move the calling thread off processor `cpu` if it runs there, and give it
 * back its own affinity mask at once (Linux; elsewhere a no-op). Returns whether it
 * moved. A bootstrap's helper thread calls this with the calling thread's processor:
 * after the machine had been idle, the system woke the helper there in 2 of 5 calls,
 * and the two threads shared one core for 3-12 ms while the other stayed idle. Setting
 * the thread's affinity moves it at once; restoring the mask right after leaves every
 * later placement to the system.
 */
#if defined(__linux__)
#include <sched.h>
#endif
static PyObject *
leave_cpu(PyObject *self, PyObject *args)
{
    int cpu;

    if (!PyArg_ParseTuple(args, "i", &cpu)) {
        return NULL;
    }
    int moved = 0;
#if defined(__linux__) && defined(CPU_SETSIZE)
    if (cpu >= 0 && cpu < CPU_SETSIZE && sched_getcpu() == cpu) {
        cpu_set_t mine, others;
        if (sched_getaffinity(0, sizeof mine, &mine) == 0) {
            others = mine;
            CPU_CLR(cpu, &others);
            if (CPU_COUNT(&others) > 0) {
                Py_BEGIN_ALLOW_THREADS
                moved = sched_setaffinity(0, sizeof others, &others) == 0;
                if (moved) {
                    sched_setaffinity(0, sizeof mine, &mine);
                }
                Py_END_ALLOW_THREADS
            }
        }
    }
#endif
    return PyBool_FromLong(moved);
}

/*
 * current_cpu: the processor the calling thread runs on (-1 where unknown).
 */
static PyObject *
current_cpu(PyObject *self, PyObject *args)
{
#if defined(__linux__)
    return PyLong_FromLong(sched_getcpu());
#else
    return PyLong_FromLong(-1);
#endif
}

/*
 * repeated_rows: how many rows of a (b x d) float64 array equal an earlier row
 * (compared with ==, so 0.0 equals -0.0 and NaN equals nothing): b minus the number
 * of distinct rows. The duplicate check of a bootstrap on its resamples' fingerprints
 * (egovstudy.bootstrap._duplicates_from_fingerprints, whose NumPy path sorts them):
 * one pass through an open-addressing hash table, the GIL released. Written here
 * because sorting the fingerprints took about 0.5 ms of a 10 ms PROCESS run, on the
 * thread every other thread waits for; this takes about 0.03 ms.
 */
static inline uint64_t
row_hash(const double *row, Py_ssize_t d)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (Py_ssize_t j = 0; j < d; j++) {
        double v = row[j] + 0.0;            /* -0.0 + 0.0 is 0.0: equal rows, one hash */
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        h ^= bits + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    }
    h ^= h >> 33;                           /* spread the high bits over the low ones */
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    return h;
}

static PyObject *
repeated_rows(PyObject *self, PyObject *args)
{
    Py_buffer a;
    Py_ssize_t d;

    if (!PyArg_ParseTuple(args, "y*n", &a, &d)) {
        return NULL;
    }
    if (d < 1 || a.len % (d * (Py_ssize_t)sizeof(double)) != 0) {
        PyBuffer_Release(&a);
        PyErr_SetString(PyExc_ValueError, "repeated_rows: pass a C-contiguous float64 "
                        "array of b rows and d >= 1 columns, and d");
        return NULL;
    }
    const Py_ssize_t b = a.len / (d * (Py_ssize_t)sizeof(double));
    size_t cap = 16;
    while (cap < 2 * (size_t)b) {
        cap <<= 1;
    }
    Py_ssize_t *table = (Py_ssize_t *)malloc(cap * sizeof(Py_ssize_t));
    if (table == NULL) {
        PyBuffer_Release(&a);
        return PyErr_NoMemory();
    }
    const double *x = (const double *)a.buf;
    Py_ssize_t repeated = 0;

    Py_BEGIN_ALLOW_THREADS
    for (size_t i = 0; i < cap; i++) {
        table[i] = -1;
    }
    for (Py_ssize_t r = 0; r < b; r++) {
        const double *row = x + r * d;
        size_t slot = (size_t)row_hash(row, d) & (cap - 1);
        for (;;) {
            const Py_ssize_t other = table[slot];
            if (other < 0) {
                table[slot] = r;            /* a row not seen before */
                break;
            }
            const double *seen = x + other * d;
            Py_ssize_t j = 0;
            while (j < d && row[j] == seen[j]) {
                j++;
            }
            if (j == d) {
                repeated++;
                break;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    Py_END_ALLOW_THREADS

    free(table);
    PyBuffer_Release(&a);
    return PyLong_FromSsize_t(repeated);
}

static PyMethodDef methods[] = {
    {"chol_solve", chol_solve, METH_VARARGS,
     "chol_solve(flat, tri, q, idx, out_col, beta, singular) -> None\n\n"
     "Solve the normal equations of every resample (rows of flat, cross-products\n"
     "indexed by tri) for the predictors idx and the outcome out_col by Cholesky;\n"
     "write beta (b x p) and singular (b bytes)."},
    {"leave_cpu", leave_cpu, METH_VARARGS,
     "leave_cpu(cpu) -> bool\n\n"
     "Move the calling thread off processor cpu if it runs there (Linux)."},
    {"current_cpu", current_cpu, METH_NOARGS,
     "current_cpu() -> int\n\nThe calling thread's processor, or -1."},
    {"repeated_rows", repeated_rows, METH_VARARGS,
     "repeated_rows(a, d) -> int\n\n"
     "Number of rows of a (b x d float64, C-contiguous) equal to an earlier row."},
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
    {"batches_done", batches_done, METH_VARARGS,
     "batches_done(done) -> list\n\n"
     "Numbers of the batches flagged done by batch_moments (acquire loads)."},
    {"batch_moments", batch_moments, METH_VARARGS,
     "batch_moments(states, sizes, units, threshold, bits, moments, out, dgemm,\n"
     "              chunk_rows, gemm_rows[, claim, claimed, limit, done]) -> int\n\n"
     "Fill out (sum(sizes) x k float64) with counts @ moments, batch after batch: batch\n"
     "i draws sizes[i] resamples from the PCG64 state in row i of states (advanced in\n"
     "place), counting chunk_rows resamples at a time and multiplying gemm_rows at a\n"
     "time with the dgemm capsule. With claim (int64 counter shared by threads), do\n"
     "only the batches taken from it, at most limit, and write their numbers to\n"
     "claimed; with done (b bytes), flag each batch as its rows are written.\n"
     "Returns the number of batches done."},
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
