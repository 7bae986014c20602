// The font faces themselves (see fonts.ts for when they load).
import '@fontsource/noto-sans-kr/400.css';
import '@fontsource/noto-sans-kr/700.css';
import '@fontsource/nanum-gothic-coding/400.css';
