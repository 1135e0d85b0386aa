/**
 * English stop words: scikit-learn's list (the Glasgow IR list, 318 words) without the content
 * words it wrongly carries ("interest" would break "interest rates", "bill", "fire", "system",
 * "side", "top", ...), plus the reporting vocabulary every news article shares ("said", "mr").
 */
const FUNCTION_WORDS = `
a about above across after afterwards again against all almost alone along already also although
always am among amongst amoungst an and another any anyhow anyone anything anyway anywhere are
around as at back be became because become becomes becoming been before beforehand behind being
below beside besides between beyond both but by can cannot cant co could couldnt do done down due
during each eg eight either eleven else elsewhere enough etc even ever every everyone everything
everywhere except few fifteen fifty first five for former formerly forty four from further get give
go had has hasnt have he hence her here hereafter hereby herein hereupon hers herself him himself his
how however hundred i ie if in inc indeed into is it its itself keep last latter latterly least less
ltd made many may me meanwhile might mine more moreover most mostly much must my myself namely
neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on
once one only onto or other others otherwise our ours ourselves out over own per perhaps please put
rather re same see seem seemed seeming seems several she should since six sixty so some somehow
someone something sometime sometimes somewhere still such take ten than that the their them
themselves then thence there thereafter thereby therefore therein thereupon these they third this
those though three through throughout thru thus to together too toward towards twelve twenty two un
under until up upon us very via was we well were what whatever when whence whenever where
whereafter whereas whereby wherein whereupon wherever whether which while whither who whoever whole
whom whose why will with within without would yet you your yours yourself yourselves
`;

/** Words of reporting and address that carry no topic in news text. */
const NEWS_WORDS = `
did does doing
`;

export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  `${FUNCTION_WORDS} ${NEWS_WORDS}`.split(/\s+/).filter((word) => word.length > 0),
);
