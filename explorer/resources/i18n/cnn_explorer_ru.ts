<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
<context>
    <name>AccuracyPanel</name>
    <message>
        <source>evaluation set</source>
        <translation>оценочный набор</translation>
    </message>
    <message>
        <source>the model&apos;s own (digits test / sample photos)</source>
        <translation>свой у модели (тест цифр / примеры фото)</translation>
    </message>
    <message>
        <source>digits (test split)</source>
        <translation>цифры (тестовая часть)</translation>
    </message>
    <message>
        <source>folder (ImageFolder layout)...</source>
        <translation>папка (структура ImageFolder)...</translation>
    </message>
    <message>
        <source>.npz file (x, y)...</source>
        <translation>файл .npz (x, y)...</translation>
    </message>
    <message>
        <source>at most</source>
        <translation>не более</translation>
    </message>
    <message>
        <source>images</source>
        <translation>изобр.</translation>
    </message>
    <message>
        <source>intact</source>
        <translation>исходная</translation>
    </message>
    <message>
        <source>with deletions</source>
        <translation>с удалениями</translation>
    </message>
    <message>
        <source>change</source>
        <translation>изменение</translation>
    </message>
    <message>
        <source>Evaluation folder (one sub-folder per class)</source>
        <translation>Папка для оценки (по подпапке на класс)</translation>
    </message>
    <message>
        <source>Evaluation .npz</source>
        <translation>Файл .npz для оценки</translation>
    </message>
    <message>
        <source>{n} deleted: {blocks}</source>
        <translation>удалено {n}: {blocks}</translation>
    </message>
    <message>
        <source>images: {n}</source>
        <translation>изображений: {n}</translation>
    </message>
</context>
<context>
    <name>ActivationStdPanel</name>
    <message>
        <source>layers</source>
        <translation>слои</translation>
    </message>
    <message>
        <source>every layer</source>
        <translation>каждый слой</translation>
    </message>
    <message>
        <source>norm outputs (Fig. 7)</source>
        <translation>выходы нормализаций (рис. 7)</translation>
    </message>
    <message>
        <source>blocks</source>
        <translation>блоки</translation>
    </message>
    <message>
        <source>Keep curve</source>
        <translation>Оставить кривую</translation>
    </message>
    <message>
        <source>Keep this curve on the plot to compare with other models</source>
        <translation>Оставить эту кривую на графике для сравнения с другими моделями</translation>
    </message>
    <message>
        <source>Clear kept</source>
        <translation>Убрать оставленные</translation>
    </message>
    <message>
        <source>log scale</source>
        <translation>лог. шкала</translation>
    </message>
    <message>
        <source>layer, in order of depth</source>
        <translation>слой, по глубине</translation>
    </message>
    <message>
        <source>std</source>
        <translation>СКО</translation>
    </message>
    <message>
        <source>rank, sorted by magnitude</source>
        <translation>ранг, по убыванию величины</translation>
    </message>
    <message>
        <source>{model} ({weights}) on {image}</source>
        <translation>{model} ({weights}) на {image}</translation>
    </message>
    <message>
        <source>{label} (now)</source>
        <translation>{label} (сейчас)</translation>
    </message>
    <message>
        <source>; kept curves: {n}</source>
        <translation>; оставлено кривых: {n}</translation>
    </message>
    <message>
        <source>{n} outputs ({level}){kept}. Click a point to select its block.</source>
        <translation>Выходов: {n} ({level}){kept}. Щёлкните точку, чтобы выбрать её блок.</translation>
    </message>
</context>
<context>
    <name>FeatureMapsPanel</name>
    <message>
        <source>page {page}/{pages}</source>
        <extracomment>a value of a map clicked: (block, row, column) in the block&apos;s output</extracomment>
        <translation>стр. {page}/{pages}</translation>
    </message>
    <message>
        <source>overlay on input</source>
        <translation>поверх входа</translation>
    </message>
    <message>
        <source>image A</source>
        <translation>изображение A</translation>
    </message>
    <message>
        <source>colormap</source>
        <translation>палитра</translation>
    </message>
    <message>
        <source>image B</source>
        <translation>изображение B</translation>
    </message>
    <message>
        <source>Select a block in the graph to see its feature maps.</source>
        <translation>Выберите блок в графе, чтобы увидеть его карты признаков.</translation>
    </message>
    <message>
        <source>{block}: its output is not a module&apos;s output; no feature maps</source>
        <translation>{block}: его выход — не выход модуля; карт признаков нет</translation>
    </message>
    <message>
        <source>{shape}; {c} channels ordered by mean activation, {per_page} a page. Click a tile to enlarge it.</source>
        <translation>{shape}; каналов: {c}, по убыванию средней активации, по {per_page} на странице. Щёлкните плитку, чтобы увеличить её.</translation>
    </message>
    <message>
        <source>mean {mean}, std {std}</source>
        <translation>среднее {mean}, СКО {std}</translation>
    </message>
    <message>
        <source>channel {c}: {stats}</source>
        <translation>канал {c}: {stats}</translation>
    </message>
    <message>
        <source>enlarged: channel {c} ({stats})</source>
        <translation>увеличен: канал {c} ({stats})</translation>
    </message>
    <message>
        <source>enlarged: channel {c}; value ({row}, {col}): its field in the Receptive field tab</source>
        <translation>увеличен: канал {c}; значение ({row}, {col}): его поле — на вкладке «Рецептивное поле»</translation>
    </message>
</context>
<context>
    <name>FieldPanel</name>
    <message>
        <source>depth</source>
        <extracomment>a comparison of effective fields is drawn (its result) a comparison failed (its one line)</extracomment>
        <translation>глубина</translation>
    </message>
    <message>
        <source>Walk the field through the network, layer by layer</source>
        <translation>Провести поле через сеть, слой за слоем</translation>
    </message>
    <message>
        <source>Effective field</source>
        <translation>Эффективное поле</translation>
    </message>
    <message>
        <source>The gradient of this output value on the image (Luo et al. 2016): where the field really looks</source>
        <translation>Градиент этого выходного значения по изображению (Luo et al. 2016): куда поле смотрит на самом деле</translation>
    </message>
    <message>
        <source>Effective field compared</source>
        <translation>Сравнение эффективных полей</translation>
    </message>
    <message>
        <source>The same output value in the same network with random weights, and in the network that differs by its skip connections alone</source>
        <translation>То же выходное значение в той же сети со случайными весами и в сети, отличающейся только обходными связями</translation>
    </message>
    <message>
        <source>over</source>
        <translation>по</translation>
    </message>
    <message>
        <source>evaluation images (up to {n})</source>
        <translation>оценочным изображениям (до {n})</translation>
    </message>
    <message>
        <source>this image</source>
        <translation>этому изображению</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Сравнить</translation>
    </message>
    <message>
        <source>Compute the effective fields on a worker, side by side</source>
        <translation>Вычислить эффективные поля в фоне и показать рядом</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>layer {i} of {n}</source>
        <translation>слой {i} из {n}</translation>
    </message>
    <message>
        <source>its output; the slider at its last layer, {layer}, {where}</source>
        <translation>его выход; ползунок на последнем слое, {layer}, {where}</translation>
    </message>
    <message>
        <source>output ({row}, {col}) of {h}x{w} sees {rf} px, stride {stride}</source>
        <translation>выход ({row}, {col}) из {h}x{w} видит {rf} пикс., шаг {stride}</translation>
    </message>
    <message>
        <source> (dashed: past the image, the padding)</source>
        <translation> (пунктир: за краем изображения, дополнение)</translation>
    </message>
    <message>
        <source>. Click the image to move it.</source>
        <translation>. Щёлкните изображение, чтобы переместить его.</translation>
    </message>
    <message>
        <source>Effective field (heat map, this image): std {rows} px (rows), {cols} px (columns); 95 % of it in {px} px, {share} % of the field on the image</source>
        <translation>Эффективное поле (тепловая карта, это изображение): СКО {rows} пикс. (строки), {cols} пикс. (столбцы); 95 % его в {px} пикс., {share} % поля на изображении</translation>
    </message>
    <message>
        <source>the gradient of the value on the image</source>
        <translation>градиент значения по изображению</translation>
    </message>
    <message>
        <source>comparing {block} with {what}...</source>
        <translation>сравнение {block} с {what}...</translation>
    </message>
    <message>
        <source>comparing effective fields</source>
        <translation>сравнение эффективных полей</translation>
    </message>
    <message>
        <source>comparison cancelled</source>
        <translation>сравнение отменено</translation>
    </message>
    <message>
        <source>share of the map per px</source>
        <translation>доля карты на пиксель</translation>
    </message>
</context>
<context>
    <name>HighwayPanel</name>
    <message>
        <source>image B: the toolbar&apos;s &apos;compare&apos; box</source>
        <translation>изображение B: поле «сравнить» на панели инструментов</translation>
    </message>
    <message>
        <source>Choose image B there to set two images&apos; gates side by side</source>
        <translation>Выберите там изображение B, чтобы сравнить вентили двух изображений</translation>
    </message>
    <message>
        <source>mean gate T</source>
        <translation>средний вентиль T</translation>
    </message>
    <message>
        <source>highway block, in order of depth (click a bar to select it)</source>
        <translation>highway-блок, по глубине (щёлкните столбец, чтобы выбрать его)</translation>
    </message>
    <message>
        <source>This model has no highway blocks.</source>
        <translation>В этой модели нет highway-блоков.</translation>
    </message>
    <message>
        <source>{n} highway blocks: y = T·H(x) + (1−T)·x. T near 1: the block transforms its input; near 0: it carries it on unchanged.</source>
        <translation>Highway-блоков: {n}; y = T·H(x) + (1−T)·x. T около 1: блок преобразует вход; около 0: передаёт его без изменений.</translation>
    </message>
    <message>
        <source>image {i}</source>
        <translation>изображение {i}</translation>
    </message>
    <message>
        <source>T of {name}</source>
        <translation>T для {name}</translation>
    </message>
    <message>
        <source>dashed: T = 0.5, as much carried as transformed</source>
        <translation>пунктир: T = 0,5, передаётся столько же, сколько преобразуется</translation>
    </message>
</context>
<context>
    <name>LandscapePanel</name>
    <message>
        <source>points per axis (2 to 201); odd: the trained point is on the grid</source>
        <extracomment>computed on request, for the network: a new image or a cancelled run leaves it be</extracomment>
        <translation>точек на ось (от 2 до 201); нечётное: обученная точка на сетке</translation>
    </message>
    <message>
        <source>the first N images of the model&apos;s evaluation set (each grid point evaluates them all: fewer images, a faster sketch)</source>
        <translation>первые N изображений оценочного набора модели (каждая точка сетки оценивает их все: меньше изображений — быстрее набросок)</translation>
    </message>
    <message>
        <source>a second network, walked with the same settings and seed</source>
        <translation>вторая сеть, с теми же настройками и зерном</translation>
    </message>
    <message>
        <source>log</source>
        <translation>лог.</translation>
    </message>
    <message>
        <source>colours and isolines on log10 of the loss</source>
        <translation>цвета и изолинии по log10 потерь</translation>
    </message>
    <message>
        <source>the loss as a surface (drag to turn it)</source>
        <translation>потери как поверхность (тяните, чтобы повернуть)</translation>
    </message>
    <message>
        <source>no 3-D view here: {why}</source>
        <translation>трёхмерный вид недоступен: {why}</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>Вычислить</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Open...</source>
        <translation>Открыть...</translation>
    </message>
    <message>
        <source>show landscapes saved with  cnn-explorer landscape ... --json</source>
        <translation>показать ландшафты, сохранённые командой  cnn-explorer landscape ... --json</translation>
    </message>
    <message>
        <source>grid</source>
        <translation>сетка</translation>
    </message>
    <message>
        <source>range</source>
        <translation>диапазон</translation>
    </message>
    <message>
        <source>to</source>
        <translation>до</translation>
    </message>
    <message>
        <source>images</source>
        <translation>изобр.</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>зерно</translation>
    </message>
    <message>
        <source>vs</source>
        <translation>против</translation>
    </message>
    <message>
        <source>(none)</source>
        <extracomment>what is drawn: one landscape per pane (a pair: the shown network and the other)</extracomment>
        <translation>(нет)</translation>
    </message>
    <message>
        <source>Load a network first.</source>
        <translation>Сначала загрузите сеть.</translation>
    </message>
    <message>
        <source>starting...</source>
        <translation>запуск...</translation>
    </message>
    <message>
        <source>cancelling after this point...</source>
        <translation>отмена после этой точки...</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>отменено</translation>
    </message>
    <message>
        <source>; the partial grid is cleared</source>
        <translation>; частичная сетка очищена</translation>
    </message>
    <message>
        <source>Open landscapes</source>
        <translation>Открыть ландшафты</translation>
    </message>
    <message>
        <source>Landscapes (*.json);;All files (*)</source>
        <translation>Ландшафты (*.json);;Все файлы (*)</translation>
    </message>
    <message>
        <source> vs </source>
        <translation> против </translation>
    </message>
    <message>
        <source>loss landscape (Li et al. 2018)</source>
        <translation>ландшафт функции потерь (Li et al. 2018)</translation>
    </message>
    <message>
        <source>left to right: {models}</source>
        <translation>слева направо: {models}</translation>
    </message>
    <message>
        <source>x (direction 1)</source>
        <translation>x (направление 1)</translation>
    </message>
    <message>
        <source>y (direction 2)</source>
        <translation>y (направление 2)</translation>
    </message>
    <message>
        <source>log10 loss</source>
        <translation>log10 потерь</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>потери</translation>
    </message>
    <message>
        <source>loss (log scale)</source>
        <translation>потери (лог. шкала)</translation>
    </message>
    <message>
        <source>x (along the direction)</source>
        <translation>x (вдоль направления)</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <source>Open an image to see this panel.</source>
        <extracomment>how much of a figure shows while its replacement is computed what the panel says before its first figures (a source text of the &quot;Panels&quot; context)</extracomment>
        <translation>Откройте изображение, чтобы увидеть эту панель.</translation>
    </message>
    <message>
        <source>Export panel...</source>
        <translation>Экспорт панели...</translation>
    </message>
    <message>
        <source>Save this panel&apos;s figure as PNG, SVG or PDF, at a size</source>
        <translation>Сохранить рисунок панели в PNG, SVG или PDF нужного размера</translation>
    </message>
    <message>
        <source>updating...</source>
        <extracomment>the widgets that draw the figures: dimmed (not emptied) while new ones are computed</extracomment>
        <translation>обновление...</translation>
    </message>
    <message>
        <source>Export {title}</source>
        <translation>Экспорт: {title}</translation>
    </message>
    <message>
        <source>not saved: {reason}</source>
        <translation>не сохранено: {reason}</translation>
    </message>
    <message>
        <source>saved {path}</source>
        <translation>сохранено: {path}</translation>
    </message>
</context>
<context>
    <name>Panels</name>
    <message>
        <source>loss</source>
        <translation>потери</translation>
    </message>
    <message>
        <source>(nothing deleted)</source>
        <translation>(ничего не удалено)</translation>
    </message>
    <message>
        <source>agreement with intact</source>
        <translation>совпадение с исходной</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Точность</translation>
    </message>
    <message>
        <source>Delete blocks (Delete key, right-click, inspector) to see the change.</source>
        <translation>Удалите блоки (клавиша Delete, правый щелчок, инспектор), чтобы увидеть изменение.</translation>
    </message>
    <message>
        <source>Activation std</source>
        <translation>СКО активаций</translation>
    </message>
    <message>
        <source>1920x1080 (16:9 slide)...</source>
        <translation>1920x1080 (слайд 16:9)...</translation>
    </message>
    <message>
        <source>1280x720 (16:9)...</source>
        <translation>1280x720 (16:9)...</translation>
    </message>
    <message>
        <source>1024x768 (4:3 slide)...</source>
        <translation>1024x768 (слайд 4:3)...</translation>
    </message>
    <message>
        <source>1920x540 (half a 16:9 slide)...</source>
        <translation>1920x540 (половина слайда 16:9)...</translation>
    </message>
    <message>
        <source>as shown...</source>
        <translation>как на экране...</translation>
    </message>
    <message>
        <source>Feature maps</source>
        <translation>Карты признаков</translation>
    </message>
    <message>
        <source>Receptive field</source>
        <extracomment>the evaluation images a comparison averages over (as ``rf --effective`` does by default)</extracomment>
        <translation>Рецептивное поле</translation>
    </message>
    <message>
        <source>Run an image, then pick a layer with the slider (or select a block) and click the image.</source>
        <translation>Пропустите изображение через сеть, затем выберите слой ползунком (или блок) и щёлкните по изображению.</translation>
    </message>
    <message>
        <source>Highway gates</source>
        <translation>Вентили highway</translation>
    </message>
    <message>
        <source>Landscape</source>
        <extracomment>images per grid point by default: an 11x11 pair of resnet56 and plain56 in minutes</extracomment>
        <translation>Ландшафт</translation>
    </message>
    <message>
        <source>The loss around the trained weights along two random filter-normalised directions (Li et al. 2018). Choose a grid and press Compute; resnet56 against plain56 is the lecture&apos;s slide.</source>
        <translation>Функция потерь вокруг обученных весов вдоль двух случайных направлений, нормированных по фильтрам (Li et al. 2018). Выберите сетку и нажмите «Вычислить»; resnet56 против plain56 — слайд из лекции.</translation>
    </message>
    <message>
        <source>the &apos;{platform}&apos; display has no OpenGL</source>
        <translation>у дисплея &apos;{platform}&apos; нет OpenGL</translation>
    </message>
    <message>
        <source>PyOpenGL is not installed (pip install PyOpenGL)</source>
        <translation>PyOpenGL не установлен (pip install PyOpenGL)</translation>
    </message>
    <message>
        <source>Paths</source>
        <extracomment>the network compared with the shown one: its curves and its effective range</extracomment>
        <translation>Пути</translation>
    </message>
    <message>
        <source>A residual network of n blocks is 2^n paths, C(n, k) of them through k residual branches (Veit et al. 2016). Press Compute to measure the gradient each path length carries to the input.</source>
        <translation>Остаточная сеть из n блоков — это 2^n путей, C(n, k) из них проходят через k остаточных ветвей (Veit et al. 2016). Нажмите «Вычислить», чтобы измерить градиент, который пути каждой длины доносят до входа.</translation>
    </message>
    <message>
        <source>Predictions</source>
        <translation>Предсказания</translation>
    </message>
    <message>
        <source>SE weights</source>
        <translation>Веса SE</translation>
    </message>
    <message>
        <source>Sweeps</source>
        <translation>Серии удалений</translation>
    </message>
    <message>
        <source>No sweep yet: the buttons below start one (what each shows is said beneath).</source>
        <translation>Серий ещё не было: кнопки ниже запускают серию (что показывает каждая — сказано под ними).</translation>
    </message>
</context>
<context>
    <name>PanelsControl</name>
    <message>
        <source>loading {name}...</source>
        <extracomment>the lanes whose work the panels&apos; busy bar shows (loading a model has its own bar)</extracomment>
        <translation>загрузка {name}...</translation>
    </message>
    <message>
        <source>this panel failed: {error}</source>
        <translation>ошибка панели: {error}</translation>
    </message>
    <message>
        <source>Run failed: {message}</source>
        <translation>Прогон не удался: {message}</translation>
    </message>
    <message>
        <source>the run failed: {message}</source>
        <translation>прогон не удался: {message}</translation>
    </message>
    <message>
        <source>evaluating...</source>
        <translation>оценка...</translation>
    </message>
    <message>
        <source>cancelled: delete a block or run a sweep to start again</source>
        <translation>отменено: удалите блок или запустите серию, чтобы начать снова</translation>
    </message>
    <message>
        <source>Run cancelled</source>
        <translation>Прогон отменён</translation>
    </message>
    <message>
        <source>cancelled: change the image, weights or block to run again</source>
        <translation>отменено: смените изображение, веса или блок, чтобы запустить снова</translation>
    </message>
</context>
<context>
    <name>PathsPanel</name>
    <message>
        <source>the first N images of the model&apos;s evaluation set</source>
        <extracomment>computed on request, for the network: a new image or a cancelled run leaves it be</extracomment>
        <translation>первые N изображений оценочного набора модели</translation>
    </message>
    <message>
        <source>paths measured per length (every one where a length has no more; the paper: 1,000); the time grows with images x paths</source>
        <translation>путей, измеряемых на длину (все, если их меньше; в статье: 1000); время растёт как изображения x пути</translation>
    </message>
    <message>
        <source>seed of the paths drawn</source>
        <translation>зерно выборки путей</translation>
    </message>
    <message>
        <source>a second network, sampled with the same settings and drawn on the same axes</source>
        <translation>вторая сеть, с теми же настройками, на тех же осях</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>Вычислить</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>images</source>
        <translation>изобр.</translation>
    </message>
    <message>
        <source>paths per length</source>
        <translation>путей на длину</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>зерно</translation>
    </message>
    <message>
        <source>vs</source>
        <translation>против</translation>
    </message>
    <message>
        <source>the first three blocks unraveled into 8 paths (Veit et al., Fig. 1b)</source>
        <translation>первые три блока, развёрнутые в 8 путей (Veit et al., рис. 1b)</translation>
    </message>
    <message>
        <source>(none)</source>
        <extracomment>the compared network&apos;s result (None: none compared, or not yet)</extracomment>
        <translation>(нет)</translation>
    </message>
    <message>
        <source>Load a network first.</source>
        <translation>Сначала загрузите сеть.</translation>
    </message>
    <message>
        <source>{model} has no residual blocks.</source>
        <translation>В {model} нет остаточных блоков.</translation>
    </message>
    <message>
        <source>building {model}</source>
        <translation>построение {model}</translation>
    </message>
    <message>
        <source>starting...</source>
        <translation>запуск...</translation>
    </message>
    <message>
        <source>cancelling after this length...</source>
        <translation>отмена после этой длины...</translation>
    </message>
    <message>
        <source>cancelled; the partial curves are cleared</source>
        <translation>отменено; частичные кривые очищены</translation>
    </message>
    <message>
        <source>effective paths {lo}-{hi} of {n}</source>
        <translation>эффективные пути {lo}-{hi} из {n}</translation>
    </message>
    <message>
        <source>an ensemble of {n} paths; {where}</source>
        <translation>ансамбль из {n} путей; {where}</translation>
    </message>
    <message>
        <source>(red): {n} paths</source>
        <translation>(красный): путей {n}</translation>
    </message>
    <message>
        <source>, effective {lo}-{hi} of {n}</source>
        <translation>, эффективные {lo}-{hi} из {n}</translation>
    </message>
    <message>
        <source>a: paths by length</source>
        <translation>a: пути по длине</translation>
    </message>
    <message>
        <source>paths</source>
        <translation>пути</translation>
    </message>
    <message>
        <source>b: |gradient| at the input, one path</source>
        <translation>b: |градиент| на входе, один путь</translation>
    </message>
    <message>
        <source>norm (log scale)</source>
        <translation>норма (лог. шкала)</translation>
    </message>
    <message>
        <source>c: total by length</source>
        <translation>c: сумма по длине</translation>
    </message>
    <message>
        <source>paths × norm</source>
        <translation>пути × норма</translation>
    </message>
    <message>
        <source>path length k</source>
        <translation>длина пути k</translation>
    </message>
    <message>
        <source>c: total, effective {lo}-{hi} shaded</source>
        <translation>c: сумма, эффективные {lo}-{hi} закрашены</translation>
    </message>
    <message>
        <source>out</source>
        <translation>выход</translation>
    </message>
    <message>
        <source>in</source>
        <translation>вход</translation>
    </message>
    <message>
        <source>{n} paths by length {counts}</source>
        <translation>путей: {n}, по длине {counts}</translation>
    </message>
    <message>
        <source>grey: skip</source>
        <translation>серый: обход</translation>
    </message>
</context>
<context>
    <name>PredictionsPanel</name>
    <message>
        <source>The input as the model sees it (after resize, crop and scaling)</source>
        <translation>Вход таким, каким его видит модель (после изменения размера, обрезки и масштабирования)</translation>
    </message>
    <message>
        <source>class</source>
        <translation>класс</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>вероятность</translation>
    </message>
    <message>
        <source>{w}x{h} as the model sees it</source>
        <translation>{w}x{h}, как видит модель</translation>
    </message>
    <message>
        <source>weights: {label}</source>
        <translation>веса: {label}</translation>
    </message>
    <message>
        <source>{ms} ms on {device}</source>
        <translation>{ms} мс на {device}</translation>
    </message>
    <message>
        <source>image: {notes}</source>
        <translation>изображение: {notes}</translation>
    </message>
    <message>
        <source>&lt;b&gt;not numbers&lt;/b&gt;: the model&apos;s outputs hold NaN or infinity, so these probabilities are not numbers (NaN or infinite weights, or values that overflow)</source>
        <translation>&lt;b&gt;не числа&lt;/b&gt;: выходы модели содержат NaN или бесконечность, поэтому эти вероятности — не числа (веса NaN или бесконечные, либо переполнение)</translation>
    </message>
    <message>
        <source>&lt;b&gt;untrained weights&lt;/b&gt;: these probabilities mean nothing</source>
        <translation>&lt;b&gt;необученные веса&lt;/b&gt;: эти вероятности ничего не значат</translation>
    </message>
</context>
<context>
    <name>SEWeightsPanel</name>
    <message>
        <source>SE block</source>
        <translation>SE-блок</translation>
    </message>
    <message>
        <source>image B: the toolbar&apos;s &apos;compare&apos; box</source>
        <translation>изображение B: поле «сравнить» на панели инструментов</translation>
    </message>
    <message>
        <source>Choose image B there to set two images&apos; gates side by side</source>
        <translation>Выберите там изображение B, чтобы сравнить вентили двух изображений</translation>
    </message>
    <message>
        <source>gate per channel</source>
        <translation>вентиль по каналам</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>канал</translation>
    </message>
    <message>
        <source>gate (sigmoid)</source>
        <translation>вентиль (сигмоида)</translation>
    </message>
    <message>
        <source>SE blocks x channels, image A (dark 0, yellow 1; blank: no such channel)</source>
        <translation>SE-блоки x каналы, изображение A (тёмный 0, жёлтый 1; пусто: канала нет)</translation>
    </message>
    <message>
        <source>SE block (click a row)</source>
        <translation>SE-блок (щёлкните строку)</translation>
    </message>
    <message>
        <source>This model has no squeeze-and-excitation blocks.</source>
        <translation>В этой модели нет блоков squeeze-and-excitation.</translation>
    </message>
    <message>
        <source>{n} SE blocks; gates of {images} (0 = channel suppressed, 1 = kept).</source>
        <translation>SE-блоков: {n}; вентили для {images} (0 = канал подавлен, 1 = сохранён).</translation>
    </message>
    <message>
        <source> and </source>
        <translation> и </translation>
    </message>
    <message>
        <source>image {i}</source>
        <translation>изображение {i}</translation>
    </message>
    <message>
        <source>{block}: gate per channel ({n} channels)</source>
        <translation>{block}: вентиль по каналам (каналов: {n})</translation>
    </message>
</context>
<context>
    <name>SweepsPanel</name>
    <message>
        <source>Each block alone</source>
        <translation>Каждый блок по одному</translation>
    </message>
    <message>
        <source>k random blocks</source>
        <translation>k случайных блоков</translation>
    </message>
    <message>
        <source>Reorder blocks</source>
        <translation>Перестановка блоков</translation>
    </message>
    <message>
        <source>k up to</source>
        <translation>k до</translation>
    </message>
    <message>
        <source>trials</source>
        <translation>испытаний</translation>
    </message>
    <message>
        <source>Export CSV...</source>
        <translation>Экспорт CSV...</translation>
    </message>
    <message>
        <source>&lt;b&gt;Sweeps&lt;/b&gt; delete blocks and measure the network again on the Accuracy tab&apos;s set (Veit et al. 2016, residual networks behave like ensembles of shallow ones):&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;Each block alone&lt;/b&gt;: one bar per block, the top-1 accuracy with that block deleted (their Fig. 3);&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;k random blocks&lt;/b&gt;: accuracy as more blocks go at random, mean &amp;plusmn; std over the trials (Fig. 5a);&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;Reorder blocks&lt;/b&gt;: blocks of a stage shuffled; accuracy against how far the order moved (Kendall tau, Fig. 5b).&lt;br&gt;Press one of the buttons above to start; the intact network is marked by a dashed line.</source>
        <translation>&lt;b&gt;Серии удалений&lt;/b&gt; удаляют блоки и заново измеряют сеть на наборе вкладки «Точность» (Veit et al. 2016: остаточные сети ведут себя как ансамбли неглубоких):&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;Каждый блок по одному&lt;/b&gt;: по столбцу на блок, top-1 точность без этого блока (их рис. 3);&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;k случайных блоков&lt;/b&gt;: точность по мере удаления случайных блоков, среднее &amp;plusmn; СКО по испытаниям (рис. 5a);&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;Перестановка блоков&lt;/b&gt;: блоки стадии перемешаны; точность в зависимости от того, насколько сдвинулся порядок (тау Кендалла, рис. 5b).&lt;br&gt;Нажмите одну из кнопок выше, чтобы начать; исходная сеть отмечена пунктиром.</translation>
    </message>
    <message>
        <source>each block alone: {percent} % of the images so far</source>
        <translation>каждый блок по одному: пока {percent} % изображений</translation>
    </message>
    <message>
        <source>(no labels: agreement)</source>
        <translation>(нет меток: совпадение)</translation>
    </message>
    <message>
        <source>{sweep} on {data} ({n} images); intact {base}</source>
        <translation>{sweep} на {data} (изображений: {n}); исходная {base}</translation>
    </message>
    <message>
        <source>agreement with the intact network %</source>
        <translation>совпадение с исходной сетью, %</translation>
    </message>
    <message>
        <source>intact network</source>
        <translation>исходная сеть</translation>
    </message>
    <message>
        <source>deleted block (click a bar to select it)</source>
        <translation>удалённый блок (щёлкните столбец, чтобы выбрать его)</translation>
    </message>
    <message>
        <source>k blocks deleted at random (mean ± std)</source>
        <translation>k блоков удалено случайно (среднее ± СКО)</translation>
    </message>
    <message>
        <source>Kendall tau of the block order (1: unchanged)</source>
        <translation>тау Кендалла порядка блоков (1: без изменений)</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Экспорт CSV</translation>
    </message>
</context>
<context>
    <name>Window</name>
    <message>
        <source>Graph</source>
        <translation>Граф</translation>
    </message>
    <message>
        <source>no model</source>
        <translation>нет модели</translation>
    </message>
    <message>
        <source>Find block (Ctrl+F)</source>
        <translation>Найти блок (Ctrl+F)</translation>
    </message>
    <message>
        <source>Expand all</source>
        <translation>Раскрыть все</translation>
    </message>
    <message>
        <source>Collapse to depth</source>
        <translation>Свернуть до глубины</translation>
    </message>
    <message>
        <source>Collapse to</source>
        <translation>Свернуть до</translation>
    </message>
    <message>
        <source>Close every block deeper than the depth beside</source>
        <translation>Закрыть все блоки глубже указанной рядом глубины</translation>
    </message>
    <message>
        <source>The depth &apos;Collapse to&apos; keeps open</source>
        <translation>Глубина, которую «Свернуть до» оставляет открытой</translation>
    </message>
    <message>
        <source>Default view</source>
        <translation>Вид по умолчанию</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Исходный</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>цвет</translation>
    </message>
    <message>
        <source>Fit (F)</source>
        <translation>Вписать (F)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Panels</source>
        <translation>Панели</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>Open images...</source>
        <translation>Открыть изображения...</translation>
    </message>
    <message>
        <source>Open...</source>
        <translation>Открыть...</translation>
    </message>
    <message>
        <source>Open a folder of images...</source>
        <translation>Открыть папку с изображениями...</translation>
    </message>
    <message>
        <source>Folder...</source>
        <translation>Папка...</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>Примеры</translation>
    </message>
    <message>
        <source>Paste image</source>
        <translation>Вставить изображение</translation>
    </message>
    <message>
        <source>Load weights from file...</source>
        <translation>Загрузить веса из файла...</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>Недавние модели</translation>
    </message>
    <message>
        <source>Export graph as PNG...</source>
        <translation>Экспорт графа в PNG...</translation>
    </message>
    <message>
        <source>Export graph as SVG...</source>
        <translation>Экспорт графа в SVG...</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Правка</translation>
    </message>
    <message>
        <source>Delete / restore block</source>
        <translation>Удалить / вернуть блок</translation>
    </message>
    <message>
        <source>Undo deletion</source>
        <translation>Отменить удаление</translation>
    </message>
    <message>
        <source>Redo deletion</source>
        <translation>Повторить удаление</translation>
    </message>
    <message>
        <source>Restore all blocks</source>
        <translation>Вернуть все блоки</translation>
    </message>
    <message>
        <source>Restore all</source>
        <translation>Вернуть все</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>&amp;Модель</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Веса</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Вид</translation>
    </message>
    <message>
        <source>Compare architectures</source>
        <translation>Сравнить архитектуры</translation>
    </message>
    <message>
        <source>Side by side...</source>
        <translation>Рядом...</translation>
    </message>
    <message>
        <source>Two or three networks aligned by stage, and what one has that another lacks</source>
        <translation>Две или три сети, выровненные по стадиям, и чем одна отличается от другой</translation>
    </message>
    <message>
        <source>Block graph</source>
        <translation>Граф блоков</translation>
    </message>
    <message>
        <source>Training curves: plain vs residual...</source>
        <translation>Кривые обучения: обычная и остаточная сеть...</translation>
    </message>
    <message>
        <source>Colour blocks by</source>
        <translation>Цвет блоков по</translation>
    </message>
    <message>
        <source>Norms and activations as boxes</source>
        <translation>Нормализации и активации отдельными блоками</translation>
    </message>
    <message>
        <source>Off (as on a slide): a BN or ReLU right after a conv is a mark in the conv&apos;s box</source>
        <translation>Выключено (как на слайде): BN или ReLU сразу после свёртки — пометка в блоке свёртки</translation>
    </message>
    <message>
        <source>Find block</source>
        <translation>Найти блок</translation>
    </message>
    <message>
        <source>Presentation mode</source>
        <translation>Режим презентации</translation>
    </message>
    <message>
        <source>Larger fonts and strokes, high contrast, the model list hidden (F5 again: as before)</source>
        <translation>Крупнее шрифты и линии, высокий контраст, список моделей скрыт (F5 ещё раз: как было)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>виду</translation>
    </message>
    <message>
        <source>params</source>
        <translation>параметрам</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Язык системы</translation>
    </message>
    <message>
        <source>The language changes at the next start</source>
        <translation>Язык сменится при следующем запуске</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Запуск</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>веса</translation>
    </message>
    <message>
        <source>from file...</source>
        <translation>из файла...</translation>
    </message>
    <message>
        <source>Library pretrained weights, random ones, or a checkpoint</source>
        <translation>Предобученные веса библиотеки, случайные или контрольная точка</translation>
    </message>
    <message>
        <source>untrained</source>
        <translation>не обучена</translation>
    </message>
    <message>
        <source>The model has random weights: its predictions mean nothing</source>
        <translation>У модели случайные веса: её предсказания ничего не значат</translation>
    </message>
    <message>
        <source>image</source>
        <translation>изображение</translation>
    </message>
    <message>
        <source>Open image files (Ctrl+O)</source>
        <translation>Открыть файлы изображений (Ctrl+O)</translation>
    </message>
    <message>
        <source>compare</source>
        <translation>сравнить</translation>
    </message>
    <message>
        <source>A second image run beside the first (SE weights panel)</source>
        <translation>Второе изображение, пропускаемое рядом с первым (панель весов SE)</translation>
    </message>
    <message>
        <source>norm</source>
        <translation>норм.</translation>
    </message>
    <message>
        <source>weights&apos; own</source>
        <translation>как у весов</translation>
    </message>
    <message>
        <source>none</source>
        <translation>нет</translation>
    </message>
    <message>
        <source>The mean and std the image is normalised with (weights&apos; own: as the weights say)</source>
        <translation>Среднее и СКО, которыми нормализуется изображение («как у весов»: как указано в весах)</translation>
    </message>
    <message>
        <source>device</source>
        <translation>устройство</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>авто</translation>
    </message>
</context>
</TS>
