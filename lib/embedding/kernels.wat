;; The LSA fit's dense and sparse products, and serving's per-paper products, in WebAssembly with
;; 128-bit SIMD (two doubles a lane pair). Every f64 kernel adds in the order the plain loops it
;; replaced did and WebAssembly has no fused multiply-add, so the results are the same bit for bit;
;; only the speed differs (about 2× for the fit's, 3× for the projection). `denseLayer` (f32, for
;; the MLP) adds in the order TensorFlow.js's WebAssembly backend does, to the same floats.
;;
;; Matrices are row-major f64 at byte addresses in the imported memory; a CSR matrix is its indptr
;; (i32, rows + 1), indices (i32) and values (f64). Outputs that kernels add into are zeroed by the
;; caller (`zero`) unless said otherwise. Compile with `npm run build:kernels` (kernels.wasm is
;; committed; a unit test checks it matches this file).
(module
  (import "env" "memory" (memory 1 65536))

  (func $zero (export "zero") (param $at i32) (param $bytes i32)
    (memory.fill (local.get $at) (i32.const 0) (local.get $bytes)))

  ;; dst[i] += weight · src[i] for i < count.
  (func $axpy (param $dst i32) (param $src i32) (param $weight f64) (param $count i32)
    (local $w v128) (local $end i32) (local $vectorEnd i32)
    (local.set $w (f64x2.splat (local.get $weight)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $count) (i32.const 3))))
    (local.set $vectorEnd (i32.sub (local.get $end) (i32.and (i32.shl (local.get $count) (i32.const 3)) (i32.const 31))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $dst) (local.get $vectorEnd)))
        (v128.store (local.get $dst)
          (f64x2.add (v128.load (local.get $dst)) (f64x2.mul (local.get $w) (v128.load (local.get $src)))))
        (v128.store offset=16 (local.get $dst)
          (f64x2.add (v128.load offset=16 (local.get $dst)) (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (br $vectors)))
    (block $done
      (loop $scalars
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (f64.store (local.get $dst)
          (f64.add (f64.load (local.get $dst)) (f64.mul (local.get $weight) (f64.load (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (br $scalars))))

  ;; Σ a[i] · b[i] for i < n in four running sums by i mod 4, added as ((s0 + s1) + s2) + s3, then
  ;; the tail one by one.
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f64)
    (local $low v128) (local $high v128) (local $end i32) (local $vectorEnd i32) (local $sum f64)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vectorEnd (i32.sub (local.get $end) (i32.and (i32.shl (local.get $n) (i32.const 3)) (i32.const 31))))
    (local.set $low (f64x2.splat (f64.const 0)))
    (local.set $high (f64x2.splat (f64.const 0)))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $a) (local.get $vectorEnd)))
        (local.set $low (f64x2.add (local.get $low) (f64x2.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $high (f64x2.add (local.get $high) (f64x2.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $vectors)))
    (local.set $sum
      (f64.add
        (f64.add
          (f64.add (f64x2.extract_lane 0 (local.get $low)) (f64x2.extract_lane 1 (local.get $low)))
          (f64x2.extract_lane 0 (local.get $high)))
        (f64x2.extract_lane 1 (local.get $high))))
    (block $done
      (loop $scalars
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $sum (f64.add (local.get $sum) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $b (i32.add (local.get $b) (i32.const 8)))
        (br $scalars)))
    (local.get $sum))

  ;; out (rows × l) = X · W (W: cols × l); out need not be zeroed.
  (func (export "sparseTimesDense")
    (param $rows i32) (param $indptr i32) (param $indices i32) (param $values i32) (param $w i32) (param $l i32) (param $out i32)
    (local $i i32) (local $p i32) (local $end i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $l) (i32.const 3)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
        (call $zero (local.get $out) (local.get $rowBytes))
        (local.set $p (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
        (block $termsDone
          (loop $term
            (br_if $termsDone (i32.ge_u (local.get $p) (local.get $end)))
            (call $axpy
              (local.get $out)
              (i32.add (local.get $w) (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $p) (i32.const 2)))) (local.get $rowBytes)))
              (f64.load (i32.add (local.get $values) (i32.shl (local.get $p) (i32.const 3))))
              (local.get $l))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $term)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; out (cols × l) += Xᵀ · Q (Q: rows × l).
  (func (export "sparseTransposeTimesDense")
    (param $rows i32) (param $indptr i32) (param $indices i32) (param $values i32) (param $q i32) (param $l i32) (param $out i32)
    (local $i i32) (local $p i32) (local $end i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $l) (i32.const 3)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $p (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
        (block $termsDone
          (loop $term
            (br_if $termsDone (i32.ge_u (local.get $p) (local.get $end)))
            (call $axpy
              (i32.add (local.get $out) (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $p) (i32.const 2)))) (local.get $rowBytes)))
              (local.get $q)
              (f64.load (i32.add (local.get $values) (i32.shl (local.get $p) (i32.const 3))))
              (local.get $l))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $term)))
        (local.set $q (i32.add (local.get $q) (local.get $rowBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; out (cols × l) += Xᵀ · (X · V), one row of X at a time through `scratch` (l doubles), so X · V
  ;; is never stored.
  (func (export "gramTimes")
    (param $rows i32) (param $indptr i32) (param $indices i32) (param $values i32) (param $v i32) (param $l i32) (param $out i32) (param $scratch i32)
    (local $i i32) (local $start i32) (local $p i32) (local $end i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $l) (i32.const 3)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $start (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.lt_u (local.get $start) (local.get $end))
          (then
            (call $zero (local.get $scratch) (local.get $rowBytes))
            (local.set $p (local.get $start))
            (block $gatherDone
              (loop $gather
                (br_if $gatherDone (i32.ge_u (local.get $p) (local.get $end)))
                (call $axpy
                  (local.get $scratch)
                  (i32.add (local.get $v) (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $p) (i32.const 2)))) (local.get $rowBytes)))
                  (f64.load (i32.add (local.get $values) (i32.shl (local.get $p) (i32.const 3))))
                  (local.get $l))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $gather)))
            (local.set $p (local.get $start))
            (block $scatterDone
              (loop $scatter
                (br_if $scatterDone (i32.ge_u (local.get $p) (local.get $end)))
                (call $axpy
                  (i32.add (local.get $out) (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $p) (i32.const 2)))) (local.get $rowBytes)))
                  (local.get $scratch)
                  (f64.load (i32.add (local.get $values) (i32.shl (local.get $p) (i32.const 3))))
                  (local.get $l))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $scatter)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  ;; out (acols × bcols) += Aᵀ · B for A (rows × acols) and B (rows × bcols); zero entries of A skipped.
  (func (export "transposeTimes")
    (param $a i32) (param $b i32) (param $rows i32) (param $acols i32) (param $bcols i32) (param $out i32)
    (local $r i32) (local $i i32) (local $weight f64) (local $bRowBytes i32)
    (local.set $bRowBytes (i32.shl (local.get $bcols) (i32.const 3)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $i (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $i) (local.get $acols)))
            (local.set $weight (f64.load (local.get $a)))
            (if (f64.ne (local.get $weight) (f64.const 0))
              (then (call $axpy (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $bRowBytes))) (local.get $b) (local.get $weight) (local.get $bcols))))
            (local.set $a (i32.add (local.get $a) (i32.const 8)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $column)))
        (local.set $b (i32.add (local.get $b) (local.get $bRowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; out (arows × bcols) += A · B for A (arows × acols) and B (acols × bcols); zero entries of A skipped.
  (func (export "times")
    (param $a i32) (param $b i32) (param $arows i32) (param $acols i32) (param $bcols i32) (param $out i32)
    (local $r i32) (local $i i32) (local $weight f64) (local $bRowBytes i32)
    (local.set $bRowBytes (i32.shl (local.get $bcols) (i32.const 3)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $arows)))
        (local.set $i (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $i) (local.get $acols)))
            (local.set $weight (f64.load (local.get $a)))
            (if (f64.ne (local.get $weight) (f64.const 0))
              (then (call $axpy (local.get $out) (i32.add (local.get $b) (i32.mul (local.get $i) (local.get $bRowBytes))) (local.get $weight) (local.get $bcols))))
            (local.set $a (i32.add (local.get $a) (i32.const 8)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $column)))
        (local.set $out (i32.add (local.get $out) (local.get $bRowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; dst (cols × rows) = srcᵀ (src: rows × cols).
  (func (export "transpose") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $r i32) (local $c i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $cols)))
            (f64.store
              (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 3)))
              (f64.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.const 8)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $column)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Modified Gram–Schmidt on `count` vectors of n doubles stored one after the other, in place,
  ;; `passes` passes against the earlier vectors each; a vector whose norm falls to 1e-12 or below
  ;; becomes zeros.
  (func (export "orthonormalizeRows") (param $t i32) (param $count i32) (param $n i32) (param $passes i32)
    (local $k i32) (local $j i32) (local $pass i32) (local $vector i32) (local $other i32) (local $bytes i32)
    (local $dot f64) (local $norm f64) (local $scale v128) (local $at i32) (local $end i32) (local $vectorEnd i32) (local $scalar f64)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $eachVector
        (br_if $done (i32.ge_u (local.get $k) (local.get $count)))
        (local.set $vector (i32.add (local.get $t) (i32.mul (local.get $k) (local.get $bytes))))
        (local.set $pass (i32.const 0))
        (block $passesDone
          (loop $eachPass
            (br_if $passesDone (i32.ge_u (local.get $pass) (local.get $passes)))
            (local.set $j (i32.const 0))
            (block $earlierDone
              (loop $eachEarlier
                (br_if $earlierDone (i32.ge_u (local.get $j) (local.get $k)))
                (local.set $other (i32.add (local.get $t) (i32.mul (local.get $j) (local.get $bytes))))
                (local.set $dot (call $dot (local.get $other) (local.get $vector) (local.get $n)))
                (if (f64.ne (local.get $dot) (f64.const 0))
                  (then (call $subtractScaled (local.get $vector) (local.get $other) (local.get $dot) (local.get $n))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $eachEarlier)))
            (local.set $pass (i32.add (local.get $pass) (i32.const 1)))
            (br $eachPass)))
        (local.set $norm (f64.sqrt (call $dot (local.get $vector) (local.get $vector) (local.get $n))))
        (local.set $scalar (select (f64.div (f64.const 1) (local.get $norm)) (f64.const 0) (f64.gt (local.get $norm) (f64.const 1e-12))))
        (local.set $scale (f64x2.splat (local.get $scalar)))
        (local.set $at (local.get $vector))
        (local.set $end (i32.add (local.get $vector) (local.get $bytes)))
        (local.set $vectorEnd (i32.sub (local.get $end) (i32.and (local.get $bytes) (i32.const 15))))
        (block $scaledVectors
          (loop $scaleVectors
            (br_if $scaledVectors (i32.ge_u (local.get $at) (local.get $vectorEnd)))
            (v128.store (local.get $at) (f64x2.mul (v128.load (local.get $at)) (local.get $scale)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $scaleVectors)))
        (if (i32.lt_u (local.get $at) (local.get $end))
          (then (f64.store (local.get $at) (f64.mul (f64.load (local.get $at)) (local.get $scalar)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $eachVector))))

  ;; dst[i] -= weight · src[i] for i < n.
  (func $subtractScaled (param $dst i32) (param $src i32) (param $weight f64) (param $n i32)
    (local $w v128) (local $end i32) (local $vectorEnd i32)
    (local.set $w (f64x2.splat (local.get $weight)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $vectorEnd (i32.sub (local.get $end) (i32.and (i32.shl (local.get $n) (i32.const 3)) (i32.const 31))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.ge_u (local.get $dst) (local.get $vectorEnd)))
        (v128.store (local.get $dst)
          (f64x2.sub (v128.load (local.get $dst)) (f64x2.mul (local.get $w) (v128.load (local.get $src)))))
        (v128.store offset=16 (local.get $dst)
          (f64x2.sub (v128.load offset=16 (local.get $dst)) (f64x2.mul (local.get $w) (v128.load offset=16 (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (br $vectors)))
    (block $done
      (loop $scalars
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (f64.store (local.get $dst)
          (f64.sub (f64.load (local.get $dst)) (f64.mul (local.get $weight) (f64.load (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (br $scalars))))
  ;; out[c] = Σₚ weights[p] · matrix[rows[p] · cols + c] for c < cols, p < n: a paper's tf-idf
  ;; terms projected on the embedder's components (matrix f32, weights and sums f64). Eight columns
  ;; at a time keep their sums in four f64x2 locals over all the terms, each column adding its
  ;; terms in p order as linalg.ts's weightedRowSum does, so the doubles are the same; the last
  ;; cols mod 8 columns go one at a time. out need not be zeroed.
  (func (export "weightedRowSum")
    (param $rows i32) (param $weights i32) (param $n i32) (param $matrix i32) (param $cols i32) (param $out i32)
    (local $c i32) (local $blockedCols i32) (local $rowBytes i32) (local $p i32) (local $at i32)
    (local $weight v128) (local $four v128) (local $s01 v128) (local $s23 v128) (local $s45 v128) (local $s67 v128)
    (local $sum f64)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $blockedCols (i32.and (local.get $cols) (i32.const -8)))
    (block $blocksDone
      (loop $block
        (br_if $blocksDone (i32.ge_u (local.get $c) (local.get $blockedCols)))
        (local.set $s01 (v128.const i64x2 0 0))
        (local.set $s23 (v128.const i64x2 0 0))
        (local.set $s45 (v128.const i64x2 0 0))
        (local.set $s67 (v128.const i64x2 0 0))
        (local.set $p (i32.const 0))
        (block $termsDone
          (loop $term
            (br_if $termsDone (i32.ge_u (local.get $p) (local.get $n)))
            (local.set $weight (f64x2.splat (f64.load (i32.add (local.get $weights) (i32.shl (local.get $p) (i32.const 3))))))
            (local.set $at
              (i32.add
                (i32.add (local.get $matrix) (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))) (local.get $rowBytes)))
                (i32.shl (local.get $c) (i32.const 2))))
            ;; Four floats widen to doubles two at a time: the low pair directly, the high pair
            ;; once a shuffle has moved it down.
            (local.set $four (v128.load (local.get $at)))
            (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $weight) (f64x2.promote_low_f32x4 (local.get $four)))))
            (local.set $s23 (f64x2.add (local.get $s23) (f64x2.mul (local.get $weight)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $four) (local.get $four))))))
            (local.set $four (v128.load offset=16 (local.get $at)))
            (local.set $s45 (f64x2.add (local.get $s45) (f64x2.mul (local.get $weight) (f64x2.promote_low_f32x4 (local.get $four)))))
            (local.set $s67 (f64x2.add (local.get $s67) (f64x2.mul (local.get $weight)
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $four) (local.get $four))))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $term)))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))))
        (v128.store (local.get $at) (local.get $s01))
        (v128.store offset=16 (local.get $at) (local.get $s23))
        (v128.store offset=32 (local.get $at) (local.get $s45))
        (v128.store offset=48 (local.get $at) (local.get $s67))
        (local.set $c (i32.add (local.get $c) (i32.const 8)))
        (br $block)))
    (block $columnsDone
      (loop $column
        (br_if $columnsDone (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $sum (f64.const 0))
        (local.set $p (i32.const 0))
        (block $termsDone
          (loop $term
            (br_if $termsDone (i32.ge_u (local.get $p) (local.get $n)))
            (local.set $sum
              (f64.add (local.get $sum)
                (f64.mul
                  (f64.load (i32.add (local.get $weights) (i32.shl (local.get $p) (i32.const 3))))
                  (f64.promote_f32 (f32.load
                    (i32.add
                      (i32.add (local.get $matrix) (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 2)))) (local.get $rowBytes)))
                      (i32.shl (local.get $c) (i32.const 2))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $term)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 3))) (local.get $sum))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $column))))

  ;; out[j] = bias[j] + Σᵢ input[i] · weights[i · outputs + j] for j < outputs, then max(·, 0) when
  ;; relu is 1: one row through a dense layer (its kernel inputs × outputs, row-major), all in f32.
  ;; Each sum starts from the bias and adds the products in i order, as the XNNPACK kernels behind
  ;; TensorFlow.js's WebAssembly backend do, which makes the same floats. outputs must be a multiple
  ;; of 4. Sixteen outputs at a time keep their sums in four f32x4 locals over all the inputs, then
  ;; four at a time; inputs equal to 0 are skipped (after a relu, about half of them), which
  ;; changes no sum.
  (func (export "denseLayer")
    (param $input i32) (param $inputs i32) (param $weights i32) (param $outputs i32) (param $bias i32) (param $relu i32) (param $out i32)
    (local $j i32) (local $blockedOutputs i32) (local $rowBytes i32) (local $i i32) (local $x f32) (local $xs v128) (local $at i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $rowBytes (i32.shl (local.get $outputs) (i32.const 2)))
    (local.set $blockedOutputs (i32.and (local.get $outputs) (i32.const -16)))
    (block $sixteensDone
      (loop $sixteen
        (br_if $sixteensDone (i32.ge_u (local.get $j) (local.get $blockedOutputs)))
        (local.set $at (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $s0 (v128.load (local.get $at)))
        (local.set $s1 (v128.load offset=16 (local.get $at)))
        (local.set $s2 (v128.load offset=32 (local.get $at)))
        (local.set $s3 (v128.load offset=48 (local.get $at)))
        (local.set $at (i32.add (local.get $weights) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $inputsDone
          (loop $eachInput
            (br_if $inputsDone (i32.ge_u (local.get $i) (local.get $inputs)))
            (local.set $x (f32.load (i32.add (local.get $input) (i32.shl (local.get $i) (i32.const 2)))))
            (if (f32.ne (local.get $x) (f32.const 0))
              (then
                (local.set $xs (f32x4.splat (local.get $x)))
                (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $xs) (v128.load (local.get $at)))))
                (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $xs) (v128.load offset=16 (local.get $at)))))
                (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $xs) (v128.load offset=32 (local.get $at)))))
                (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $xs) (v128.load offset=48 (local.get $at)))))))
            (local.set $at (i32.add (local.get $at) (local.get $rowBytes)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $eachInput)))
        (call $storeActivations (local.get $out) (local.get $j) (local.get $relu) (local.get $s0))
        (call $storeActivations (local.get $out) (i32.add (local.get $j) (i32.const 4)) (local.get $relu) (local.get $s1))
        (call $storeActivations (local.get $out) (i32.add (local.get $j) (i32.const 8)) (local.get $relu) (local.get $s2))
        (call $storeActivations (local.get $out) (i32.add (local.get $j) (i32.const 12)) (local.get $relu) (local.get $s3))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $sixteen)))
    (block $foursDone
      (loop $four
        (br_if $foursDone (i32.ge_u (local.get $j) (local.get $outputs)))
        (local.set $s0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $at (i32.add (local.get $weights) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $inputsDone
          (loop $eachInput
            (br_if $inputsDone (i32.ge_u (local.get $i) (local.get $inputs)))
            (local.set $x (f32.load (i32.add (local.get $input) (i32.shl (local.get $i) (i32.const 2)))))
            (if (f32.ne (local.get $x) (f32.const 0))
              (then (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (f32x4.splat (local.get $x)) (v128.load (local.get $at)))))))
            (local.set $at (i32.add (local.get $at) (local.get $rowBytes)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $eachInput)))
        (call $storeActivations (local.get $out) (local.get $j) (local.get $relu) (local.get $s0))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $four))))

  ;; out[j .. j + 4) = sums, through a relu when relu is 1.
  (func $storeActivations (param $out i32) (param $j i32) (param $relu i32) (param $sums v128)
    (if (local.get $relu)
      (then (local.set $sums (f32x4.max (local.get $sums) (v128.const i64x2 0 0)))))
    (v128.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2))) (local.get $sums)))
)
