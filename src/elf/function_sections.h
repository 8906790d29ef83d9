/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An assembly object made to look as -ffunction-sections makes a C one:
 * each function (a symbol with a size) in a section of its own, so that
 * kmend create compares, carries and matches it as it does C functions.
 */
#ifndef KMEND_FUNCTION_SECTIONS_H
#define KMEND_FUNCTION_SECTIONS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Rewrite the object @path in place: each executable section that holds
 * more than one function, or one not at its start, is cut at every
 * function's first byte into sections named SECTION.FUNCTION (bytes before
 * the first function keep the section's name). References into the cut
 * section, from relocations and from the kernel's tables, follow the code
 * to its new section; branches the assembler resolved between two of the
 * pieces get a relocation (R_X86_64_PC8 for a short one, which no module
 * can hold: kmend create refuses to carry it); ORC gets an entry at each
 * piece's start and end. Debug sections are left out. *@changed says
 * whether anything was cut. Returns 0, or -1 with a message in @err.
 */
int function_sections_split(const char *path, bool *changed, char *err,
			    size_t errlen);

#endif /* KMEND_FUNCTION_SECTIONS_H */
