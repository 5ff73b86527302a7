"""Words a network name may not be: it becomes a Solidity enum member and a TypeScript identifier."""

# Solidity 0.8 keywords, reserved words and global names that an enum member would shadow.
SOLIDITY = frozenset(
    """
    abstract after alias anonymous apply as assembly auto bool break byte bytes calldata case catch constant
    constructor continue contract copyof default define delete do else emit enum error event external fallback
    false final for from function global hex if immutable implements import in indexed inline interface internal
    is let library macro mapping match memory modifier mutable new null of override partial payable pragma private
    promise public pure receive reference relocatable return returns revert sealed sizeof static storage string
    struct super supports switch this throw true try type typedef typeof unchecked unicode using var view virtual
    while address int uint fixed ufixed wei gwei ether seconds minutes hours days weeks years block msg tx abi
    assert require selfdestruct keccak256 sha256 ripemd160 ecrecover addmod mulmod gasleft blockhash now
    """.split()
)

# ECMAScript and TypeScript reserved words, including the strict-mode and contextual ones.
TYPESCRIPT = frozenset(
    """
    break case catch class const continue debugger default delete do else enum export extends false finally for
    function if import in instanceof new null return super switch this throw true try typeof var void while with
    as implements interface let package private protected public static yield any boolean constructor declare get
    module require number set string symbol type from of async await namespace never readonly unique unknown
    object bigint infer is keyof satisfies undefined abstract accessor asserts global out override
    """.split()
)

RESERVED = SOLIDITY | TYPESCRIPT
