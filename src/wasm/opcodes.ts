// Op codes shared by the host and the kernels (mirrored as constants in assembly/*.ts; docs/kernels.md).

export const BinaryOp = { ADD: 0, SUB: 1, MUL: 2, DIV: 3, MAX: 4, MIN: 5, POW: 6, GT: 7, LT: 8, EQ: 9 } as const;

export const UnaryOp = {
  NEG: 0, ABS: 1, RELU: 2, LEAKY_RELU: 3, SIGMOID: 4, TANH: 5, EXP: 6, LOG: 7, SQRT: 8, POW: 9,
  SCALE: 10, ADD_SCALAR: 11, SQUARE: 12, RECIPROCAL: 13, ELU: 14, SIGN: 15, CLAMP_MIN: 16, CLAMP_MAX: 17, GELU: 18,
} as const;

export const ReduceOp = { SUM: 0, MEAN: 1, MAX: 2, MIN: 3 } as const;

export const ArgReduceOp = { ARGMAX: 0, ARGMIN: 1 } as const;
