/**
 * A `$formatInteger` picture split as jsonata splits it, at its last `;`: the primary format token
 * (`A`, `w`, `#,##0`) and the modifier with its `;` (`;o` for ordinals), or '' without one.
 */
export function integerPictureParts(picture: string): { primary: string; modifier: string } {
  const semicolon = picture.lastIndexOf(';');
  return semicolon === -1 ? { primary: picture, modifier: '' } : { primary: picture.substring(0, semicolon), modifier: picture.substring(semicolon) };
}
